import { afterEach, describe, expect, it, vi } from 'vitest';
import { createObservability, instrumentWith } from '../../functions/http/index.js';

describe('createObservability', () => {
  const saved = process.env.AWS_LAMBDA_FUNCTION_NAME;
  afterEach(() => {
    if (saved === undefined) delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    else process.env.AWS_LAMBDA_FUNCTION_NAME = saved;
  });

  it('leaves the tracer out off Lambda, and instruments nothing', async () => {
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
    const observability = await createObservability('test');
    expect(observability.tracer).toBeUndefined();
    const client = { send: () => undefined };
    expect(instrumentWith(observability)(client)).toBe(client);
  });

  it('loads the tracer in Lambda', async () => {
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'kehu-test-customers';
    const observability = await createObservability('test');
    expect(observability.tracer?.constructor.name).toBe('Tracer');
  });
});

describe('metrics without application metrics', () => {
  it('does not warn on every request that added none', async () => {
    const observability = await createObservability('test');
    const warn = vi.spyOn(observability.logger, 'warn');
    // Powertools' own default writes the warning to stderr through a Console of its own.
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    observability.metrics.publishStoredMetrics();
    const written = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
    stderr.mockRestore();
    expect(warn).not.toHaveBeenCalled();
    expect(written).not.toContain('No application metrics');
  });
});
