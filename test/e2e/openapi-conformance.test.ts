import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerWithHistory } from '../support/erasure.js';
import { startTestApi, type TestApi } from '../support/local-api.js';
import { signIn } from '../support/self-service.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

/**
 * Answers the OpenAPI document once left out. Every call here goes through the
 * local-api helper, which fails the test on any status, media type, body or header the
 * document does not declare for the operation.
 */
describe('answers the document declares', () => {
  it("answers 404 on every self-service route to a token that outlived its customer's erasure", async () => {
    const { body, request, dpo } = await customerWithHistory(api);
    const token = await signIn(api, body.emails[0]);
    expect((await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } })).status).toBe(200);
    await api.queues.erasure.drain();

    const after = [
      await api.call('GET', '/v1/self/data', { token }),
      await api.call('GET', '/v1/self/export', { token }),
      await api.call('POST', '/v1/self/consents', { token, body: { purposeId: 'marketing', action: 'withdraw', channel: 'self-service' } }),
      await api.call('POST', '/v1/self/requests', { token, body: { type: 'access', jurisdiction: 'GDPR' } }),
    ];
    for (const answer of after) {
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers 415 problem details to a body that is not JSON, on a route that takes one', async () => {
    const answer = await api.call('POST', '/v1/customers', { token: await api.token('agent'), body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(answer.status).toBe(415);
    expect(answer.body.field).toBe('Content-Type');
  });
});
