import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** Idempotent creates (POST /v1/customers is the create that takes an Idempotency-Key). */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe('a repeated create', () => {
  it('answers the first result while the customer exists, and 410 Gone once they were erased', async () => {
    const agent = await api.token('agent');
    const dpo = await api.token('dpo');
    const body = newCustomer();
    const headers = { 'idempotency-key': 'create-then-erase' };
    const first = await api.call('POST', '/v1/customers', { token: agent, body, headers });
    expect(first.status).toBe(201);
    const replay = await api.call('POST', '/v1/customers', { token: agent, body, headers });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(first.body.id);

    const request = await api.call('POST', '/v1/requests', {
      token: agent,
      body: { customerId: first.body.id, type: 'erase', jurisdiction: 'GDPR', channel: 'email' },
    });
    await api.call('POST', `/v1/requests/${request.body.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
    await api.call('POST', `/v1/requests/${request.body.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    await api.queues.erasure.drain();
    expect((await api.call('GET', `/v1/customers/${first.body.id}`, { token: dpo })).status).toBe(404);

    const afterErasure = await api.call('POST', '/v1/customers', { token: agent, body, headers });
    expect(afterErasure.status).toBe(410);
    expect(afterErasure.headers.get('content-type')).toContain('application/problem+json');
    expect(afterErasure.body).toMatchObject({ type: 'urn:kehu:problem:gone', status: 410, field: 'Idempotency-Key' });
    // Another body under the same key is still a misuse of the key, whatever became of its record.
    const other = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer(), headers });
    expect(other.status).toBe(422);
    // A new key creates the record again.
    const again = await api.call('POST', '/v1/customers', { token: agent, body, headers: { 'idempotency-key': 'after-erasure' } });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(first.body.id);
  });
});
