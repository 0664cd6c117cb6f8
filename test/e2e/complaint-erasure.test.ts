import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAll } from '../support/dynamo.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * Complaints and the rest of the product: in the access export, erased with the customer
 * (the report aggregates stay), and kept by a legal hold that names them (DSR-1, DSR-3, CMP-4).
 */
let api: TestApi;
let agent: string;
let analyst: string;
const DAY_MS = 86_400_000;
/** The default calendar's local dates (Asia/Shanghai, +08:00 all year), a day either side of now. */
const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const reportQuery = `from=${shanghai(Date.now() - DAY_MS)}&to=${shanghai(Date.now() + DAY_MS)}&interval=month`;

beforeAll(async () => {
  api = await startTestApi();
  agent = await api.token('agent', 'agent-5');
  analyst = await api.token('analyst', 'analyst-5');
});
afterAll(() => api?.close());

async function resolvedComplaint(customerId: string): Promise<{ id: string; reference: string }> {
  const created = await api.call('POST', '/v1/complaints', {
    token: agent,
    body: { customerId, channel: 'regulator', category: 'billing', severity: 'high', subject: 'Charged twice for order 88', description: 'The card statement shows two charges' },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  for (const body of [
    { action: 'acknowledge' },
    { action: 'assign', department: 'finance', assignee: 'agent-5' },
    { action: 'start' },
    { action: 'resolve', resolution: 'Refunded the second charge', rootCause: 'billing-error' },
  ]) {
    const answer = await api.call('POST', `/v1/complaints/${created.body.id}/transitions`, { token: agent, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  }
  return { id: created.body.id, reference: created.body.reference };
}

const totals = async () => (await api.call('GET', `/v1/reports/complaints?${reportQuery}`, { token: analyst })).body.totals;
const rawComplaintItems = async (complaintId: string) =>
  (await scanAll(api.client, api.prefix)).filter((item) => {
    const pk = (item.pk as { S?: string })?.S ?? '';
    const sk = (item.sk as { S?: string })?.S ?? '';
    return pk === `COMPLAINT#${complaintId}` || sk === `COMPLAINT#${complaintId}`;
  });

describe('complaints and the rest of the product', () => {
  it('are in the access export, are erased with the customer, and leave the report counts as they were', async () => {
    const { customer, request, dpo } = await customerWithHistory(api);
    const complaint = await resolvedComplaint(customer.id);

    const access = (await api.call('POST', '/v1/requests', { token: agent, body: { customerId: customer.id, type: 'access', jurisdiction: 'PIPL', channel: 'email' } })).body;
    await api.call('POST', `/v1/requests/${access.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
    await api.call('POST', `/v1/requests/${access.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    const exported = await api.call('GET', `/v1/requests/${access.id}/export`, { token: dpo });
    expect(exported.status).toBe(200);
    expect(exported.body.complaints).toEqual([
      expect.objectContaining({ id: complaint.id, reference: complaint.reference, subject: 'Charged twice for order 88', status: 'resolved' }),
    ]);

    const before = await totals();
    expect(before.received).toBeGreaterThanOrEqual(1);
    expect(await rawComplaintItems(complaint.id)).toHaveLength(2);

    await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    await api.queues.erasure.drain();
    expect(api.queues.erasure.deadLetters).toEqual([]);

    expect(await itemsOf(api, customer.id)).toEqual([]);
    expect(await rawComplaintItems(complaint.id)).toEqual([]);
    expect((await api.call('GET', `/v1/complaints/${complaint.id}`, { token: agent })).status).toBe(404);
    expect((await api.call('GET', `/v1/complaints?customerId=${customer.id}`, { token: agent })).body.items).toEqual([]);
    const certificate = (await api.call('GET', '/v1/destruction-certificates', { token: dpo })).body.items.find((c: { requestId?: string }) => c.requestId === request.id);
    expect(certificate.categories).toContain('complaints');
    expect(await totals()).toEqual(before);
  });

  it('stay, sealed, under a legal hold that names them, while everything else is erased', async () => {
    const { customer, request, dpo } = await customerWithHistory(api);
    const complaint = await resolvedComplaint(customer.id);
    const version = (await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).body.version;
    const until = new Date(Date.now() + 30 * DAY_MS).toISOString().slice(0, 10);
    const held = await api.call('PATCH', `/v1/customers/${customer.id}`, {
      token: dpo,
      body: { legalHolds: [{ reason: 'regulator inquiry 2026-17', until, categories: ['complaints'] }], reason: 'inquiry opened' },
      headers: { 'if-match': `"${version}"` },
    });
    expect(held.status, JSON.stringify(held.body)).toBe(200);

    await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    await api.queues.erasure.drain();
    expect(api.queues.erasure.deadLetters).toEqual([]);

    const kinds = (await itemsOf(api, customer.id)).map((item) => ((item.sk as { S?: string })?.S ?? 'KEY').split('#')[0]);
    expect(new Set(kinds)).toEqual(new Set(['PROFILE', 'COMPLAINT', 'KEY']));
    const [pointer, item] = await rawComplaintItems(complaint.id).then((items) => [items.find((i) => (i.sk as { S: string }).S === 'COMPLAINT'), items.find((i) => (i.sk as { S: string }).S !== 'COMPLAINT')]);
    expect(pointer).toBeDefined();
    expect(JSON.stringify(item)).not.toContain('Charged twice');
    const certificate = (await api.call('GET', '/v1/destruction-certificates', { token: dpo })).body.items.find((c: { requestId?: string }) => c.requestId === request.id);
    expect(certificate).toMatchObject({ retained: [{ categories: ['complaints'], reason: 'regulator inquiry 2026-17', until }] });
    expect(certificate.categories).not.toContain('complaints');
  });
});
