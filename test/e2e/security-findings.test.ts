import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { codeFrom, outbox } from '../support/self-service.js';

/**
 * Wrong self-service codes (SEC-6) through the local API: each one audited under a
 * pseudonym of the caller's address, against the customer whose challenge it was, and, once
 * the audit stream has carried them to the detector, listed as a finding to the DPO.
 */
let api: TestApi;
let person: Record<string, any>;
let customerId: string;

beforeAll(async () => {
  api = await startTestApi();
  person = newCustomer();
  customerId = (await api.call('POST', '/v1/customers', { token: await api.token('agent'), body: person })).body.id;
});
afterAll(() => api?.close());

describe('wrong self-service codes', () => {
  it('audits each one under a pseudonymous source, and raises a finding for the customer attacked', async () => {
    const challenge = await api.call('POST', '/v1/self/verification', { body: { contact: person.emails[0] } });
    const code = codeFrom(outbox(api).at(-1)!);
    const wrong = code === '000000' ? '111111' : '000000';
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await api.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code: wrong } })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);
    // A challenge nobody was given: audited against the challenge, not a customer.
    const unknown = await api.call('POST', '/v1/self/session', { body: { challengeId: '00000000-0000-4000-8000-000000000000', code: '123456' } });
    expect(unknown.status).toBe(401);

    const auditor = await api.token('auditor');
    const trail = await api.call('GET', `/v1/audit?targetType=customer&targetId=${customerId}&limit=100`, { token: auditor });
    const rejected = (trail.body.items as Array<{ action: string; actor: string; role: string }>).filter((e) => e.action === 'self.code.rejected');
    expect(rejected).toHaveLength(10);
    expect(new Set(rejected.map((e) => e.actor)).size).toBe(1);
    expect(rejected[0]!.actor).toMatch(/^source:[0-9a-f]{16}$/);
    expect(rejected[0]!.role).toBe('anonymous');
    expect(JSON.stringify(trail.body)).not.toContain('127.0.0.1');
    const bySource = await api.call('GET', `/v1/audit?actor=${encodeURIComponent(rejected[0]!.actor)}&limit=100`, { token: auditor });
    expect((bySource.body.items as Array<{ targetType: string }>).map((e) => e.targetType).sort()).toEqual([...Array(10).fill('customer'), 'self-service-challenge'].sort());

    await api.auditStream.drain();
    const dpo = await api.token('dpo');
    const listed = await api.call('GET', '/v1/security/findings?rule=failed-codes-contact', { token: dpo });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ rule: 'failed-codes-contact', subject: customerId, level: 'medium', observed: 10, threshold: 10 })]);
    expect((await api.call('GET', '/v1/security/findings', { token: await api.token('agent') })).status).toBe(403);
  });
});
