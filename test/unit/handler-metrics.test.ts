import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createHttpHandler, createObservability, defineRoutes } from '../../functions/http/index.js';
import { UnavailableError } from '../../shared/errors/index.js';

/** A failed dependency is counted in the metric the KMS and store alarms watch. */
const routes = defineRoutes({
  fail: { method: 'GET', path: '/v1/fail', context: 'test', summary: 'fails', roles: 'public', responses: { 200: { description: 'never' } } },
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
