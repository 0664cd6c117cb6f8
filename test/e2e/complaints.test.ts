import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintChannels } from '../../shared/contexts/complaints/index.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { outbox, signIn } from '../support/self-service.js';

/** CMP-1 to CMP-3 end to end: intake on every channel, the workflow, notices, self-service, refusals. */
let api: TestApi;
let agent: string;
let dpo: string;
let customer: { id: string; emails: string[] };
let other: { id: string; emails: string[] };
/** The runtime's clock runs this far ahead of the wall clock (the reopen window). */
let offset = 0;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  api = await startTestApi({ overrides: { clock: { now: () => new Date(Date.now() + offset) } } });
  agent = await api.token('agent', 'agent-7');
  dpo = await api.token('dpo', 'dpo-7');
  // The bodies sent: an agent is answered masked contacts.
  const [mine, theirs] = [newCustomer(), newCustomer()];
  customer = { id: (await api.call('POST', '/v1/customers', { token: agent, body: mine })).body.id, emails: mine.emails };
  other = { id: (await api.call('POST', '/v1/customers', { token: agent, body: theirs })).body.id, emails: theirs.emails };
});
afterAll(() => api?.close());

const intake = (body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  api.call('POST', '/v1/complaints', {
    token: agent,
    headers,
    body: { customerId: customer.id, channel: 'phone', category: 'billing', severity: 'medium', subject: 'Charged twice', description: 'Invoice 1234 was charged twice', ...body },
  });
const act = (id: string, body: Record<string, unknown>, token = agent) => api.call('POST', `/v1/complaints/${id}/transitions`, { token, body });
const read = (id: string) => api.call('GET', `/v1/complaints/${id}`, { token: agent });
const ofCustomer = async (customerId: string) => (await api.call('GET', `/v1/complaints?customerId=${customerId}&limit=100`, { token: agent })).body.items as Array<{ id: string }>;

describe('complaints', () => {
  it('takes a complaint in on every channel and runs it through the whole workflow', async () => {
    for (const channel of complaintChannels) {
      const created = await intake({ channel, language: channel === 'email' ? 'en' : 'zh-CN' });
      expect(created.status, channel).toBe(201);
      expect(created.headers.get('etag')).toBe('"2"');
      const { id } = created.body;
      expect(created.body).toMatchObject({
        channel,
        status: 'received',
        reference: expect.stringMatching(/^TS-\d{4}-\d{6,}$/),
        receivedBy: 'agent-7',
        subject: 'Charged twice',
        notices: [{ kind: 'acknowledgement', state: 'sent', attempts: 1 }],
        milestones: { acknowledge: { state: 'active' }, firstResponse: { state: 'active' }, resolve: { state: 'active' }, followUp: { state: 'pending' } },
      });
      const steps: Array<[Record<string, unknown>, string]> = [
        [{ action: 'acknowledge' }, 'acknowledged'],
        [{ action: 'assign', assignee: 'agent-9', department: 'finance' }, 'assigned'],
        [{ action: 'start' }, 'in-progress'],
        [{ action: 'wait', reason: 'Asked for the bank statement' }, 'waiting-on-customer'],
        [{ action: 'resume' }, 'in-progress'],
        [{ action: 'resolve', resolution: 'The second charge was refunded', rootCause: 'billing-error' }, 'resolved'],
        [{ action: 'follow-up', outcome: 'satisfied', rating: 4 }, 'followed-up'],
        [{ action: 'close' }, 'closed'],
      ];
      for (const [body, status] of steps) {
        const answer = await act(id, body);
        expect(answer.status, `${channel} ${body.action}`).toBe(200);
        expect(answer.body.status).toBe(status);
      }
      const done = (await read(id)).body;
      expect(done.milestones.acknowledge.state).toBe('met');
      expect(done.milestones.firstResponse.state).toBe('met');
      expect(done.milestones.resolve.state).toBe('met');
      expect(done.milestones.followUp.state).toBe('met');
      expect(done).toMatchObject({ department: 'finance', assignee: 'agent-9', resolution: { rootCause: 'billing-error' }, followUp: { outcome: 'satisfied', rating: 4 } });
      expect(done.history.map((h: { action: string }) => h.action)).toEqual(['receive', ...steps.map(([b]) => b.action)]);
      expect(done.history[4]).toMatchObject({ actor: 'agent-7', role: 'agent', from: 'in-progress', to: 'waiting-on-customer', reason: 'Asked for the bank statement' });
      expect(done.notices.map((n: { kind: string; state: string }) => `${n.kind}:${n.state}`)).toEqual(['acknowledgement:sent', 'resolution:sent']);
    }
  });

  it('reopens a closed complaint within the window, and not after it', async () => {
    const { body } = await intake();
    for (const step of [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-9' }, { action: 'start' }, { action: 'resolve', resolution: 'Refunded', rootCause: 'billing-error' }, { action: 'follow-up', outcome: 'not-satisfied', rating: 2 }, { action: 'close' }]) {
      expect((await act(body.id, step)).status).toBe(200);
    }
    const reopened = await act(body.id, { action: 'reopen', reason: 'Charged a third time' });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'in-progress', reopenCount: 1, milestones: { resolve: { state: 'active' }, followUp: { state: 'pending' } } });
    expect((await act(body.id, { action: 'resolve', resolution: 'Refunded again', rootCause: 'billing-error' })).body.status).toBe('resolved');
    const before = (await read(body.id)).body;
    offset = 31 * DAY_MS;
    try {
      const late = await act(body.id, { action: 'reopen', reason: 'Still wrong' });
      expect(late.status).toBe(409);
      expect(late.body).toMatchObject({ field: 'action', allowedActions: ['follow-up'] });
    } finally {
      offset = 0;
    }
    expect((await read(body.id)).body.version).toBe(before.version);
  });

  it('sends the acknowledgement and the resolution to the customer, in their language, naming the reference', async () => {
    const { body } = await intake({ language: 'en', channel: 'email' });
    const ack = outbox(api).find((m) => m.body.includes(body.reference));
    expect(ack).toMatchObject({ to: customer.emails[0], body: expect.stringContaining('We will respond by') });
    for (const step of [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-9' }, { action: 'start' }]) await act(body.id, step);
    await act(body.id, { action: 'resolve', resolution: 'We refunded the second charge', rootCause: 'billing-error' });
    const resolution = outbox(api).filter((m) => m.body.includes(body.reference)).at(-1);
    expect(resolution).toMatchObject({ to: customer.emails[0], body: expect.stringContaining('We refunded the second charge') });
    const zh = (await intake()).body;
    expect(outbox(api).find((m) => m.body.includes(zh.reference))?.body).toContain('我们已收到您的投诉');
  });

  it('routes a privacy complaint to data protection, and leaves it to the DPO once acknowledged', async () => {
    const { body } = await intake({ category: 'privacy' });
    expect(body).toMatchObject({ privacy: true, department: 'data-protection' });
    expect((await act(body.id, { action: 'acknowledge' })).status).toBe(200);
    const byAgent = await act(body.id, { action: 'assign', assignee: 'agent-9' });
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.field).toBe('action');
    expect((await act(body.id, { action: 'assign', assignee: 'dpo-7' }, dpo)).body).toMatchObject({ status: 'assigned', department: 'data-protection' });
  });

  it('answers a repeated Idempotency-Key with the first complaint, and a stale If-Match with 412', async () => {
    const first = await intake({}, { 'idempotency-key': 'complaint-retry-1' });
    const again = await intake({}, { 'idempotency-key': 'complaint-retry-1' });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const stale = await api.call('POST', `/v1/complaints/${first.body.id}/transitions`, { token: agent, body: { action: 'acknowledge' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
  });

  it('refuses bad input with a 4xx naming the field, and changes nothing', async () => {
    const { body: complaint } = await intake();
    const count = (await ofCustomer(customer.id)).length;
    const cases: Array<[string, () => ReturnType<typeof intake>, number, string]> = [
      ['an unknown customer', () => intake({ customerId: '00000000-0000-4000-8000-000000000000' }), 404, 'customerId'],
      ['an unknown category', () => intake({ category: 'weather' }), 400, 'category'],
      ['a description over its limit', () => intake({ description: 'x'.repeat(4001) }), 400, 'description'],
      ['an unknown field', () => intake({ priority: 'urgent' }), 400, 'priority'],
      ['an out-of-order transition', () => act(complaint.id, { action: 'close' }), 409, 'action'],
      ['a follow-up before resolution', () => act(complaint.id, { action: 'follow-up', outcome: 'satisfied', rating: 5 }), 409, 'action'],
      ['a resolution without root cause', () => act(complaint.id, { action: 'resolve', resolution: 'Refunded' }), 400, 'rootCause'],
      ['a rating of a customer not reached', () => act(complaint.id, { action: 'follow-up', outcome: 'unreachable', rating: 3 }), 400, 'rating'],
    ];
    for (const [name, call, status, field] of cases) {
      const answer = await call();
      expect(answer.status, name).toBe(status);
      expect(answer.body.field, name).toBe(field);
    }
    expect((await act(complaint.id, { action: 'acknowledge' })).status).toBe(200);
    const unknownDepartment = await act(complaint.id, { action: 'assign', assignee: 'agent-9', department: 'weather-desk' });
    expect(unknownDepartment.status).toBe(400);
    expect(unknownDepartment.body.field).toBe('department');
    const { body: privacy } = await intake({ category: 'privacy' });
    await act(privacy.id, { action: 'acknowledge' });
    const elsewhere = await act(privacy.id, { action: 'assign', assignee: 'dpo-7', department: 'finance' }, dpo);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.field).toBe('department');
    expect((await read(privacy.id)).body.status).toBe('acknowledged');
    const outOfOrder = await act(complaint.id, { action: 'start' });
    expect(outOfOrder.body.allowedActions).toEqual(['assign']);
    expect((await ofCustomer(customer.id)).length).toBe(count + 1);
    expect((await read(complaint.id)).body).toMatchObject({ status: 'acknowledged', version: complaint.version + 1 });
  });

  it('shows customers their own complaints, without staff names, and not anyone else\'s', async () => {
    const staffTaken = (await intake()).body;
    const token = await signIn(api, customer.emails[0]!);
    const own = await api.call('POST', '/v1/self/complaints', { token, body: { category: 'delivery', subject: 'Parcel lost', description: 'Never arrived' } });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ channel: 'online-form', severity: 'medium', status: 'received', respondBy: expect.any(String) });
    expect(own.body).not.toHaveProperty('receivedBy');
    const listed = await api.call('GET', '/v1/self/complaints', { token });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id)).toEqual(expect.arrayContaining([own.body.id, staffTaken.id]));
    const one = await api.call('GET', `/v1/self/complaints/${staffTaken.id}`, { token });
    expect(one.status).toBe(200);
    expect(JSON.stringify(one.body)).not.toContain('agent-7');
    // A double submit makes one complaint; a customer does not rate their own complaint critical.
    const submit = (body: Record<string, unknown>) => api.call('POST', '/v1/self/complaints', { token, headers: { 'idempotency-key': 'self-submit-1' }, body });
    const once = await submit({ category: 'billing', severity: 'high', subject: 'Charged twice', description: 'Two charges' });
    const twice = await submit({ category: 'billing', severity: 'high', subject: 'Charged twice', description: 'Two charges' });
    expect(once.status).toBe(201);
    expect(twice.status).toBe(201);
    expect(twice.body.id).toBe(once.body.id);
    expect(twice.headers.get('idempotent-replayed')).toBe('true');
    expect((await ofCustomer(customer.id)).filter((c) => c.id === once.body.id)).toHaveLength(1);
    const critical = await api.call('POST', '/v1/self/complaints', { token, body: { category: 'billing', severity: 'critical', subject: 'Urgent', description: 'Now' } });
    expect(critical.status).toBe(400);
    expect(critical.body.field).toBe('severity');
    const theirs = (await intake({ customerId: other.id })).body;
    expect((await api.call('GET', `/v1/self/complaints/${theirs.id}`, { token })).status).toBe(404);
    expect((await api.call('GET', '/v1/self/complaints', { token })).body.items.map((c: { id: string }) => c.id)).not.toContain(theirs.id);
  });

  it('keeps no subject or description in the clear in the table', async () => {
    await intake({ subject: 'Plaintext-marker subject 9f3a', description: 'Plaintext-marker description 9f3a', desiredOutcome: 'Plaintext-marker outcome 9f3a' });
    const raw = JSON.stringify(await scanAll(api.client, api.prefix));
    expect(raw).toContain('"complaint"');
    expect(raw).not.toContain('Plaintext-marker');
    expect(raw).not.toContain('Invoice 1234');
    expect(raw).not.toContain('Asked for the bank statement');
  });
});
