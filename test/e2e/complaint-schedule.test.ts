import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { outbox } from '../support/self-service.js';

/**
 * CMP-3 end to end on the local runtime: the policies through the API, the deadline schedule on
 * its timer, the escalation events through the complaint-escalations queue to staff mail.
 */
let api: TestApi;
let admin: string;
let agent: string;
/** The runtime's clock runs this far ahead of the wall clock. */
let offset = 0;
const LEAD = 'finance-lead@example.com';
const MANAGEMENT = 'head-of-service@example.com';

beforeAll(async () => {
  api = await startTestApi({ schedules: { 'complaint-deadlines': 500 }, overrides: { clock: { now: () => new Date(Date.now() + offset) } } });
  admin = await api.token('admin', 'admin-3');
  agent = await api.token('agent', 'agent-3');
});
afterAll(() => api?.close());

const until = async (done: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 200 && !(await done()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
};
const staffMail = () => outbox(api).filter((m) => m.to === LEAD || m.to === MANAGEMENT);

describe('complaint policies and escalations', () => {
  it('replaces the policies from the version read, and refuses bad limits by name', async () => {
    const current = await api.call('GET', '/v1/complaint-policies', { token: agent });
    expect(current.status).toBe(200);
    expect(current.headers.get('etag')).toBe('"0"');
    const { version: _version, ...document } = current.body;
    const body = { ...document, escalationContacts: { departmentLeads: { finance: LEAD }, management: MANAGEMENT } };

    expect((await api.call('PUT', '/v1/complaint-policies', { token: agent, body })).status).toBe(403);
    const bad = structuredClone(body);
    bad.rules[0].limits.resolve = -1;
    const refused = await api.call('PUT', '/v1/complaint-policies', { token: admin, body: bad });
    expect(refused.status).toBe(400);
    expect(refused.body.field).toBe('rules.0.limits.resolve');

    const put = await api.call('PUT', '/v1/complaint-policies', { token: admin, body, headers: { 'if-match': '"0"' } });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"1"');
    expect(put.body).toMatchObject({ version: 1, updatedBy: 'admin-3', escalationContacts: { management: MANAGEMENT } });
    const stale = await api.call('PUT', '/v1/complaint-policies', { token: admin, body, headers: { 'if-match': '"0"' } });
    expect(stale.status).toBe(412);
    expect((await api.call('PUT', '/v1/complaint-policies', { token: admin, body: { ...body, version: 0 } })).status).toBe(412);
    expect((await api.call('GET', '/v1/complaint-policies', { token: agent })).headers.get('etag')).toBe('"1"');
  });

  it('escalates a complaint left unanswered to every level on the schedule, and mails staff once per level', async () => {
    const person = newCustomer();
    const customer = await api.call('POST', '/v1/customers', { token: agent, body: person });
    const created = await api.call('POST', '/v1/complaints', {
      token: agent,
      body: { customerId: customer.body.id, channel: 'phone', category: 'billing', severity: 'critical', subject: 'Charged twice', description: 'Invoice 99 was charged twice' },
    });
    expect(created.status).toBe(201);
    const { id, reference } = created.body;
    expect((await api.call('POST', `/v1/complaints/${id}/transitions`, { token: agent, body: { action: 'acknowledge' } })).status).toBe(200);
    const assigned = await api.call('POST', `/v1/complaints/${id}/transitions`, { token: agent, body: { action: 'assign', assignee: 'agent-8', department: 'finance' } });
    expect(assigned.status).toBe(200);

    // A month on, nobody answered: every level is due at once, each raised and announced once.
    offset = 30 * 86_400_000;
    await until(() => staffMail().length >= 3);
    const read = async () => (await api.call('GET', `/v1/complaints/${id}`, { token: agent })).body;
    await until(async () => (await read()).escalations.every((s: { announcedAt?: string }) => s.announcedAt));
    const complaint = await read();
    expect(complaint.escalations.map((s: { level: number; target: string; announcedAt?: string }) => [s.level, s.target, Boolean(s.announcedAt)])).toEqual([
      [1, 'assignee', true],
      [2, 'department-lead', true],
      [3, 'management', true],
    ]);
    const mail = staffMail();
    expect(mail.map((m) => m.to).sort()).toEqual([LEAD, LEAD, MANAGEMENT].sort());
    for (const message of mail) {
      expect(message.body).toContain(reference);
      for (const personal of [person.name, person.emails[0], 'Charged twice', customer.body.id]) expect(message.body).not.toContain(personal);
    }
    expect(api.queues.complaintEscalations.deadLetters).toEqual([]);
    const overdue = await api.call('GET', '/v1/complaints?overdue=true', { token: agent });
    expect(overdue.body.items.map((c: { id: string }) => c.id)).toContain(id);
  }, 60_000);
});
