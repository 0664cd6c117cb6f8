import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Logger } from '@aws-lambda-powertools/logger';
import { createHttpHandler, createObservability, defineRoutes } from '../../functions/http/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';

/** A failed dependency is counted in the metric the KMS and store alarms watch. */
const routes = defineRoutes({
  fail: { method: 'GET', path: '/v1/fail', context: 'test', operationId: 'fail', summary: 'fails', description: 'Always fails', roles: 'public', responses: { 200: { description: 'never' } } },
});
const event = {
  version: '2.0',
  routeKey: 'GET /v1/fail',
  rawPath: '/v1/fail',
  rawQueryString: '',
  headers: {},
  requestContext: { http: { method: 'GET', path: '/v1/fail' }, requestId: 'r-1' },
  isBase64Encoded: false,
} as unknown as APIGatewayProxyEventV2;
const context = { functionName: 'test', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 1000 } as unknown as Context;

describe('dependency failure metrics', () => {
  it.each([
    ['key-service', 'KeyServiceErrors'],
    ['store', 'StoreErrors'],
  ] as const)('counts a %s failure as %s and answers 503', async (dependency, metric) => {
    const observability = await createObservability('test');
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    const dimensions = vi.spyOn(Metrics.prototype, 'setDefaultDimensions');
    const handler = createHttpHandler(routes, { fail: async () => Promise.reject(new UnavailableError(dependency)) }, { ...observability, corsOrigins: [] });
    const res = await handler(structuredClone(event), context);
    expect(res.statusCode).toBe(503);
    expect(addMetric).toHaveBeenCalledWith(metric, 'Count', 1);
    expect(dimensions).toHaveBeenCalledWith({ service: 'kehu' });
    addMetric.mockRestore();
    dimensions.mockRestore();
  });

  it('counts nothing for a client error', async () => {
    const observability = await createObservability('test');
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    const handler = createHttpHandler(routes, { fail: async () => ({ status: 200, body: {} }) }, { ...observability, corsOrigins: [] });
    expect((await handler(structuredClone(event), context)).statusCode).toBe(200);
    expect(addMetric.mock.calls.filter(([name]) => name !== 'ColdStart')).toEqual([]);
  });
});

/** Logs and traces name the route template: an id in the path would outlive an erased customer in the logs. */
describe('the route in logs and traces', () => {
  const customerId = '7d0b1f7e-3f0c-4a8e-9a43-2d5c1e0f9b11';
  const byId = defineRoutes({
    read: {
      method: 'GET',
      path: '/v1/customers/{id}',
      context: 'test',
      operationId: 'readThing',
      summary: 'reads',
      description: 'Reads one',
      roles: 'public',
      responses: { 200: { description: 'read' } },
    },
  });
  const request = {
    ...event,
    routeKey: 'GET /v1/customers/{id}',
    rawPath: `/v1/customers/${customerId}`,
    pathParameters: { id: customerId },
    requestContext: { http: { method: 'GET', path: `/v1/customers/${customerId}` }, requestId: 'r-2', routeKey: 'GET /v1/customers/{id}' },
  } as unknown as APIGatewayProxyEventV2;

  /** Every line the logger printed while `run` ran, parsed: what CloudWatch would receive. */
  async function linesOf(logger: Logger, run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
    const printed: string[] = [];
    // Powertools prints through a Console of its own, bound to stdout before any spy could be.
    const out = (logger as unknown as { console: Record<string, (line: string) => void> }).console;
    const spies = ['debug', 'info', 'warn', 'error', 'log'].map((level) => vi.spyOn(out, level).mockImplementation((line) => void printed.push(line)));
    const level = logger.getLevelName();
    // The tests run at WARN; the access line is INFO.
    logger.setLogLevel('INFO');
    try {
      await run();
    } finally {
      logger.setLogLevel(level);
      for (const spy of spies) spy.mockRestore();
    }
    return printed.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('logs the template, never the id, in the access line and the error line', async () => {
    const observability = await createObservability('test');
    const handler = createHttpHandler(byId, { read: async () => Promise.reject(new Error('boom')) }, { ...observability, corsOrigins: [] });
    const lines = await linesOf(observability.logger, async () => expect((await handler(structuredClone(request), context)).statusCode).toBe(500));
    const access = lines.find((line) => line.message === 'request');
    const failure = lines.find((line) => line.message === 'request failed');
    expect(access).toMatchObject({ route: 'GET /v1/customers/{id}', status: 500 });
    expect(failure).toMatchObject({ route: 'GET /v1/customers/{id}' });
    expect(JSON.stringify(lines)).not.toContain(customerId);
  });

  it('does not carry one request’s route into the next', async () => {
    const observability = await createObservability('test');
    const handler = createHttpHandler(byId, { read: async () => ({ status: 200, body: {} }) }, { ...observability, corsOrigins: [] });
    await linesOf(observability.logger, () => handler(structuredClone(request), context));
    const later = await linesOf(observability.logger, async () => observability.logger.info('later'));
    expect(later[0]).not.toHaveProperty('route');
  });

  it('annotates the trace with the template', async () => {
    const observability = await createObservability('test');
    const tracer = new Tracer({ serviceName: 'test', enabled: false });
    const annotate = vi.spyOn(tracer, 'putAnnotation');
    const handler = createHttpHandler(byId, { read: async () => ({ status: 200, body: {} }) }, { ...observability, tracer, corsOrigins: [] });
    await linesOf(observability.logger, () => handler(structuredClone(request), context));
    expect(annotate).toHaveBeenCalledWith('route', 'GET /v1/customers/{id}');
    expect(JSON.stringify(annotate.mock.calls)).not.toContain(customerId);
  });
});
