import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** DSR-1, DSR-4 and DSR-5 end to end. */
let api: TestApi;
let agent: string;
let dpo: string;
let customer: { id: string };

beforeAll(async () => {
  api = await startTestApi();
  agent = await api.token('agent', 'agent-5');
  dpo = await api.token('dpo', 'dpo-5');
  customer = (await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() })).body;
});
afterAll(() => api?.close());

const create = (body: Record<string, unknown>) =>
  api.call('POST', '/v1/requests', { token: agent, body: { customerId: customer.id, jurisdiction: 'GDPR', channel: 'email', ...body } });
const act = (id: string, action: string, token = dpo, reason?: string) =>
  api.call('POST', `/v1/requests/${id}/transitions`, { token, body: { action, ...(reason ? { reason } : {}) } });

describe('data-subject requests', () => {
  it('runs an access request to its export: everything held, and who accessed it', async () => {
    await api.call('POST', `/v1/customers/${customer.id}/interactions`, {
      token: agent,
      body: { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: 'Asked for a copy of their data' },
    });
    const created = await create({ type: 'access', details: 'Please send me everything you hold' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ type: 'access', status: 'received', details: 'Please send me everything you hold' });
    const days = (Date.parse(created.body.dueAt) - Date.parse(created.body.receivedAt)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(28);
    expect(days).toBeLessThanOrEqual(31);

    const early = await api.call('GET', `/v1/requests/${created.body.id}/export`, { token: dpo });
    expect(early.status).toBe(409);
    expect((await act(created.body.id, 'verify-identity', agent)).body.status).toBe('identity-verified');
    expect((await act(created.body.id, 'approve')).body.status).toBe('in-progress');

    const exported = await api.call('GET', `/v1/requests/${created.body.id}/export`, { token: dpo });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(exported.body.customer).toMatchObject({ id: customer.id, name: expect.any(String), phones: [expect.stringMatching(/^\+86/)] });
    expect(exported.body.interactions[0]).toMatchObject({ summary: 'Asked for a copy of their data' });
    expect(exported.body.requests.map((r: { id: string }) => r.id)).toContain(created.body.id);
    expect(exported.body.accessLog.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['customer.create', 'interaction.list']));
    expect(exported.body.consents).toHaveProperty('history');
    expect(exported.body.shares).toEqual([]);

    const done = await act(created.body.id, 'complete');
    expect(done.body).toMatchObject({ status: 'completed', completedAt: expect.any(String) });
    expect(done.body.transitions.map((t: { action: string }) => t.action)).toEqual(['verify-identity', 'approve', 'complete']);
  });

  it('lets only the DPO approve, refuses out-of-order actions, and needs a reason to reject', async () => {
    const { body } = await create({ type: 'rectify', details: 'My surname is misspelt' });
    const byAgent = await act(body.id, 'approve', agent);
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.field).toBe('action');
    const early = await act(body.id, 'approve');
    expect(early.status).toBe(409);
    expect(early.body.field).toBe('action');
    const noReason = await act(body.id, 'reject');
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    const rejected = await act(body.id, 'reject', dpo, 'Identity could not be confirmed');
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: 'Identity could not be confirmed' });
    expect((await act(body.id, 'complete')).status).toBe(409);
  });

  it('applies a restriction and an objection on approval (DSR-5)', async () => {
    const restrict = (await create({ type: 'restrict' })).body;
    await act(restrict.id, 'verify-identity', agent);
    expect((await act(restrict.id, 'approve')).body.status).toBe('completed');
    const object = (await create({ type: 'object', purposes: ['marketing'] })).body;
    await act(object.id, 'verify-identity', agent);
    await act(object.id, 'approve');
    const read = await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo });
    expect(read.body).toMatchObject({ restricted: true, objections: ['marketing'] });
    expect((await create({ type: 'object' })).body.field).toBe('purposes');
  });

  it('publishes an approved erasure for the erasure worker, with ids only', async () => {
    const erase = (await create({ type: 'erase', jurisdiction: 'PIPL' })).body;
    await act(erase.id, 'verify-identity', agent);
    await act(erase.id, 'approve');
    const events = readFileSync(join(api.dataDir, 'events.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events).toContainEqual(expect.objectContaining({ type: 'ErasureApproved', detail: { requestId: erase.id, customerId: customer.id } }));
  });

  it('lists open requests past their deadline, and answers 404 for unknown ids', async () => {
    const overdue = await api.call('GET', '/v1/requests?overdue=true', { token: dpo });
    expect(overdue.status).toBe(200);
    expect(overdue.body.items).toEqual([]); // every deadline here is weeks away
    const open = await api.call('GET', `/v1/requests?customerId=${customer.id}&status=in-progress`, { token: dpo });
    expect(open.body.items.every((r: { status: string }) => r.status === 'in-progress')).toBe(true);
    expect((await api.call('GET', '/v1/requests/00000000-0000-4000-8000-000000000000', { token: dpo })).status).toBe(404);
    expect((await create({ customerId: '00000000-0000-4000-8000-000000000000', type: 'access' })).status).toBe(404);
  });
});

describe('local schedules', () => {
  it('run the jobs on timers, as the scheduler does in AWS', async () => {
    const scheduled = await startTestApi({ schedules: { 'retention-sweep': 100 } });
    try {
      const auditor = await scheduled.token('auditor');
      let sweeps = 0;
      for (let i = 0; i < 30 && sweeps < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const trail = await scheduled.call('GET', '/v1/audit?actor=retention-schedule&limit=10', { token: auditor });
        sweeps = trail.body.items.filter((e: { action: string }) => e.action === 'retention.sweep').length;
      }
      expect(sweeps).toBeGreaterThanOrEqual(2);
    } finally {
      await scheduled.close();
    }
  });
});
