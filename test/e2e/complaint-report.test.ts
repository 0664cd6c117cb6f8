import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** CMP-4 end to end: complaints run through the API show in the report; improvement actions recorded against their causes. */
let api: TestApi;
let agent: string;
let analyst: string;
let auditor: string;
const customers: string[] = [];
const DAY_MS = 86_400_000;
/** Local dates of the default calendar (Asia/Shanghai, +08:00 all year), a day either side of now. */
const shanghai = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const from = shanghai(Date.now() - DAY_MS);
const to = shanghai(Date.now() + DAY_MS);

beforeAll(async () => {
  api = await startTestApi();
  agent = await api.token('agent', 'agent-3');
  analyst = await api.token('analyst', 'analyst-3');
  auditor = await api.token('auditor', 'auditor-3');
  for (let i = 0; i < 3; i++) customers.push((await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() })).body.id);
  const intake = async (customerId: string, category: string, channel: string) =>
    (await api.call('POST', '/v1/complaints', { token: agent, body: { customerId, channel, category, severity: 'high', subject: 'Charged twice', description: 'Invoice 77 twice' } })).body.id as string;
  const act = async (id: string, body: Record<string, unknown>) => {
    const answer = await api.call('POST', `/v1/complaints/${id}/transitions`, { token: agent, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  };
  const run = async (id: string, department: string, rootCause: string) => {
    await act(id, { action: 'acknowledge' });
    await act(id, { action: 'assign', assignee: 'agent-9', department });
    await act(id, { action: 'start' });
    await act(id, { action: 'resolve', resolution: 'Refunded', rootCause });
  };
  const a = await intake(customers[0]!, 'billing', 'phone');
  await run(a, 'finance', 'billing-error');
  await act(a, { action: 'follow-up', outcome: 'satisfied', rating: 4 });
  const b = await intake(customers[1]!, 'delivery', 'email');
  await run(b, 'logistics', 'delivery-delay');
  await act(b, { action: 'reopen', reason: 'Still not delivered' });
  await act(b, { action: 'resolve', resolution: 'Delivered', rootCause: 'billing-error' });
  await intake(customers[2]!, 'billing', 'phone');
}, 120_000);
afterAll(() => api?.close());

const report = (token: string, query = `from=${from}&to=${to}&interval=month`) => api.call('GET', `/v1/reports/complaints?${query}`, { token });

describe('the complaints report', () => {
  it('counts what the complaints went through, and names no customer', async () => {
    const answer = await report(analyst);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ from, to, interval: 'month', timeZone: 'Asia/Shanghai' });
    expect(answer.body.totals).toMatchObject({
      received: 3,
      byCategory: { billing: 2, delivery: 1 },
      byChannel: { phone: 2, email: 1 },
      bySeverity: { high: 3 },
      byDepartment: { finance: 1, logistics: 1 },
      acknowledged: 2,
      resolved: 3,
      ackMinutes: { count: 2 },
      resolveMinutes: { count: 3 },
      metWithinLimit: { acknowledge: 1, firstResponse: 1, resolve: 1 },
      reopenRate: 1 / 3,
      followUp: { count: 1, satisfiedShare: 1, meanRating: 4, ratings: { '4': 1 } },
      topRootCauses: [
        { code: 'billing-error', count: 2 },
        { code: 'delivery-delay', count: 1 },
      ],
    });
    const received = answer.body.series.reduce((sum: number, period: { received: number }) => sum + period.received, 0);
    expect(received).toBe(3);
    const text = JSON.stringify(answer.body);
    for (const id of customers) expect(text).not.toContain(id);
    expect(text).not.toContain('Invoice 77');
  });

  it('is for analysts, auditors, the DPO and administrators, over at most 366 days', async () => {
    expect((await report(auditor)).status).toBe(200);
    expect((await report(agent)).status).toBe(403);
    const long = await report(analyst, 'from=2025-01-01&to=2026-01-02');
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('to');
    const backwards = await report(analyst, 'from=2026-03-02&to=2026-03-01');
    expect(backwards.status).toBe(400);
    expect((await report(analyst, 'from=2026-03-01')).status).toBe(400);
  });
});

describe('improvement actions', () => {
  it('are recorded against a cause, listed, changed at the version read, and shown in the report', async () => {
    const created = await api.call('POST', '/v1/improvement-actions', {
      token: analyst,
      body: { cause: 'billing-error', action: 'Stop capturing a payment twice', owner: 'lead-2', dueDate: to },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/improvement-actions/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'planned', version: 1, createdBy: 'analyst-3', effect: { measure: 'cause', days: 30, before: 0, after: null } });

    const listed = await api.call('GET', '/v1/improvement-actions', { token: auditor });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((a: { id: string }) => a.id)).toContain(created.body.id);
    expect((await api.call('GET', `/v1/improvement-actions/${created.body.id}`, { token: auditor })).body).toEqual(created.body);

    const stale = await api.call('PUT', `/v1/improvement-actions/${created.body.id}`, { token: analyst, body: { status: 'in-progress', version: 7 } });
    expect(stale.status).toBe(412);
    expect(stale.body.field).toBe('version');
    const done = await api.call('PUT', `/v1/improvement-actions/${created.body.id}`, { token: analyst, body: { status: 'done', version: 1 } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', version: 2, doneAt: expect.any(String), effect: { after: 0, afterDays: 0 } });

    const shown = (await report(analyst)).body.improvementActions;
    expect(shown.map((a: { id: string }) => a.id)).toEqual([created.body.id]);
    const trail = await api.call('GET', `/v1/audit?targetType=improvement-action&targetId=${created.body.id}`, { token: auditor });
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: { action: string }) => e.action).sort()).toEqual(['improvement-action.create', 'improvement-action.update']);
  });

  it('need a cause or a category, and only staff who plan improvements record them', async () => {
    const bare = await api.call('POST', '/v1/improvement-actions', { token: analyst, body: { action: 'Something', owner: 'lead-2', dueDate: to } });
    expect(bare.status).toBe(400);
    expect(bare.body.field).toBe('cause');
    const auditorWrites = await api.call('POST', '/v1/improvement-actions', { token: auditor, body: { category: 'billing', action: 'x', owner: 'lead-2', dueDate: to } });
    expect(auditorWrites.status).toBe(403);
    expect((await api.call('GET', '/v1/improvement-actions/00000000-0000-4000-8000-000000000000', { token: analyst })).status).toBe(404);
  });
});
