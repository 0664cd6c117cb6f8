import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { countIntegrityFailure, createHttpHandler, createObservability, defineRoutes } from '../../functions/http/index.js';
import { SealError } from '../../shared/platform/crypto/index.js';
import { IntegrityError } from '../../shared/platform/errors/index.js';

/** Sealed data that does not open answers the documented `integrity` problem and counts for the IntegrityFailures alarm. */
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

async function answer(error: Error) {
  const observability = await createObservability('test');
  const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
  const handler = createHttpHandler(routes, { fail: async () => Promise.reject(error) }, { ...observability, corsOrigins: [] });
  const res = await handler(structuredClone(event), context);
  const counted = addMetric.mock.calls.filter(([name]) => name === 'IntegrityFailures').length;
  addMetric.mockRestore();
  return { res, body: JSON.parse(String(res.body)) as Record<string, unknown>, counted };
}

describe('integrity failures', () => {
  it('answers a seal that would not open as the integrity problem and counts it', async () => {
    const { res, body, counted } = await answer(new SealError());
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
    expect(body.type).toBe('urn:kehu:problem:integrity');
    expect(counted).toBe(1);
  });

  it('answers an IntegrityError with the record named, counted once where it was found, not again', async () => {
    const { res, body, counted } = await answer(new IntegrityError());
    expect(res.statusCode).toBe(500);
    expect(body).toMatchObject({ type: 'urn:kehu:problem:integrity', field: 'id', title: 'Stored record damaged' });
    expect(counted).toBe(0);
  });

  it('counts under the one service dimension the alarm watches', async () => {
    const { metrics } = await createObservability('test');
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    const dimensions = vi.spyOn(Metrics.prototype, 'setDefaultDimensions');
    countIntegrityFailure(metrics);
    expect(addMetric).toHaveBeenCalledWith('IntegrityFailures', 'Count', 1);
    expect(dimensions).toHaveBeenCalledWith({ service: 'kehu' });
    addMetric.mockRestore();
    dimensions.mockRestore();
  });
});
