import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ComplaintTransitionInput } from '../../shared/contexts/complaints/index.js';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import type { ListRiskFlagsQuery, RaiseRiskFlag, RiskFlag } from '../../shared/contexts/risk-flags/index.js';
import { ConflictError, PreconditionFailedError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { OutboundMessage } from '../../shared/platform/ports/index.js';
import { composeContainer, type Container } from '../../shared/runtime/index.js';
import { complaintsOf } from '../../shared/runtime/services/complaints.js';
import { customersOf } from '../../shared/runtime/services/customers.js';
import { riskFlagsOf } from '../../shared/runtime/services/risk-flags.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/**
 * Risk flags (SAT-3, AN-3) on DynamoDB Local: raised inside another transaction, listed by
 * status, reason and assignee through their indexes, assigned, closed with the outcome of the
 * call (one close opening a complaint, once however often it is retried), counted when unhandled,
 * and raised by a complaint reopened twice.
 */
type App = Pick<Container, 'customers' | 'complaints' | 'riskFlags' | 'store'>;
let app: App;
let raw: { client: DynamoDBClient; prefix: string };
const HOUR = 3_600_000;
const now = new Date('2026-12-07T08:00:00.000Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * HOUR).toISOString();
const sent: OutboundMessage[] = [];
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'survey' };
const customers: string[] = [];
const complaintInput = { category: 'service', severity: 'medium' as const, channel: 'phone' as const, subject: 'Called back, still unhappy', description: 'The delivery was late twice' };
const surveySource = (n: number) => ({ kind: 'survey' as const, surveyId: '3f2b8c1e-0000-4000-8000-000000000001', wave: '2026-Q4', invitationId: `inv-${n}`, questionId: 'nps', score: n });

async function customer(): Promise<string> {
  const { customer } = await app.customers.create(newCustomer() as CreateCustomerInput, { actor: { id: 'seed', role: 'admin' }, purpose: 'service' }, resolveView('admin').view);
  return customer.id;
}

/** Raises a flag as another context does: its writes inside a transaction of the test's own. */
async function raise(input: Omit<RaiseRiskFlag, 'at'> & { at?: string }): Promise<RiskFlag> {
  const writes = app.riskFlags.raiseWrites({ at: now.toISOString(), ...input });
  await app.store.transact(writes);
  const put = writes[0];
  const id = put?.op === 'put' ? String(put.item.id) : '';
  return app.riskFlags.get(id, agent);
}

/** Every page of a listing, one flag a page. */
async function ids(query: Omit<ListRiskFlagsQuery, 'limit' | 'cursor'>): Promise<string[]> {
  const all: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await app.riskFlags.list({ ...query, limit: 1, ...(cursor ? { cursor } : {}) }, agent);
    all.push(...page.items.map((f) => f.id));
    cursor = page.cursor;
  } while (cursor);
  return all;
}

const rawItem = async (flag: RiskFlag) =>
  (await raw.client.send(new GetItemCommand({ TableName: `${raw.prefix}-data`, Key: { pk: { S: `CUSTOMER#${flag.customerId}` }, sk: { S: `RISK#${flag.id}` } }, ConsistentRead: true }))).Item!;

let lowNps: RiskFlag;
let lowCsat: RiskFlag;
let reopened: RiskFlag;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  raw = { client, prefix };
  const composed = composeContainer(
    testConfig(prefix, endpoint),
    { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 17)), clock: { now: () => now }, events: { publish: async () => undefined }, notifier: { send: async (m) => void sent.push(m) } },
    (w) => ({ customers: customersOf(w), complaints: complaintsOf(w), riskFlags: riskFlagsOf(w) }),
  );
  app = composed;
  customers.push(await customer(), await customer());
  lowNps = await raise({ customerId: customers[0]!, reason: 'low-nps', source: surveySource(3), at: hoursAgo(50) });
  lowCsat = await raise({ customerId: customers[1]!, reason: 'low-csat', source: { ...surveySource(1), questionId: 'csat' }, assignee: 'agent-2', at: hoursAgo(49) });
  reopened = await raise({ customerId: customers[0]!, reason: 'complaint-reopened', source: { kind: 'complaint', complaintId: '9a1b2c3d-0000-4000-8000-000000000009', reference: 'TS-2026-000009' }, at: hoursAgo(2) });
});

describe('risk flags', () => {
  it('raises a flag open, or assigned when raised with an assignee', () => {
    expect(lowNps).toMatchObject({ status: 'open', reason: 'low-nps', source: { score: 3 }, version: 1 });
    expect(lowNps).not.toHaveProperty('assignee');
    expect(lowCsat).toMatchObject({ status: 'assigned', assignee: 'agent-2', assignedAt: hoursAgo(49) });
  });

  it('lists by status (open by default), reason and assignee through the indexes, oldest first', async () => {
    expect(await ids({})).toEqual([lowNps.id, reopened.id]);
    expect(await ids({ reason: 'low-nps' })).toEqual([lowNps.id]);
    expect(await ids({ reason: 'low-csat' })).toEqual([]);
    expect(await ids({ status: 'assigned' })).toEqual([lowCsat.id]);
    expect(await ids({ status: 'assigned', assignee: 'agent-2' })).toEqual([lowCsat.id]);
    expect(await ids({ status: 'assigned', assignee: 'agent-2', reason: 'low-nps' })).toEqual([]);
    expect(await ids({ status: 'closed' })).toEqual([]);
  });

  it('counts flags nobody closed raised longer ago than the limit', async () => {
    expect(await app.riskFlags.countUnhandled(48)).toBe(2);
    expect(await app.riskFlags.countUnhandled(1)).toBe(3);
    expect(await app.riskFlags.countUnhandled(100)).toBe(0);
  });

  it('assigns on the version read, and moves the flag between the listings', async () => {
    const assigned = await app.riskFlags.transition(lowNps.id, { action: 'assign', assignee: 'agent-3' }, agent, 1);
    expect(assigned).toMatchObject({ status: 'assigned', assignee: 'agent-3', assignedAt: now.toISOString(), version: 2 });
    await expect(app.riskFlags.transition(lowNps.id, { action: 'assign', assignee: 'agent-4' }, agent, 1)).rejects.toBeInstanceOf(PreconditionFailedError);
    expect(await ids({})).toEqual([reopened.id]);
    expect(await ids({ status: 'assigned', assignee: 'agent-3' })).toEqual([lowNps.id]);
    expect(await ids({ status: 'assigned', reason: 'low-nps' })).toEqual([lowNps.id]);
    expect(await ids({ status: 'assigned' })).toEqual([lowNps.id, lowCsat.id]);
    expect(await app.riskFlags.countUnhandled(48)).toBe(2);
  });

  it('closes with the outcome of the call, its note sealed, and refuses a second close naming the action', async () => {
    const closed = await app.riskFlags.transition(lowNps.id, { action: 'close', outcome: 'resolved', note: 'Spoke to them: the refund arrived' }, agent);
    expect(closed).toMatchObject({ status: 'closed', outcome: 'resolved', closedBy: 'agent-1', closedAt: now.toISOString(), version: 3 });
    expect(await app.riskFlags.get(lowNps.id, agent)).toMatchObject({ note: 'Spoke to them: the refund arrived' });
    const stored = await rawItem(lowNps);
    expect(stored.sealedNote?.S).toBeDefined();
    expect(stored.note).toBeUndefined();
    expect(JSON.stringify(stored)).not.toContain('refund');
    const again = await app.riskFlags.transition(lowNps.id, { action: 'close', outcome: 'declined' }, agent).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictError);
    expect(again).toMatchObject({ field: 'action', extensions: { allowedActions: [] } });
    expect(await ids({ status: 'closed' })).toEqual([lowNps.id]);
    expect(await ids({ status: 'closed', assignee: 'agent-3' })).toEqual([lowNps.id]);
    expect(await app.riskFlags.countUnhandled(48)).toBe(1);
  });

  it('closes by opening a complaint for the customer, and a retried close opens none again', async () => {
    const before = (await app.complaints.ofCustomer(customers[0]!, agent)).items.length;
    const closed = await app.riskFlags.transition(reopened.id, { action: 'close', outcome: 'complaint-opened', complaint: complaintInput }, agent);
    expect(closed).toMatchObject({ status: 'closed', outcome: 'complaint-opened' });
    const complaint = await app.complaints.get(closed.complaintId!, agent);
    expect(complaint).toMatchObject({ customerId: customers[0], category: 'service', subject: complaintInput.subject });
    await expect(app.riskFlags.transition(reopened.id, { action: 'close', outcome: 'complaint-opened', complaint: complaintInput }, agent)).rejects.toBeInstanceOf(ConflictError);
    expect((await app.complaints.ofCustomer(customers[0]!, agent)).items.length).toBe(before + 1);
  });

  it('answers the complaint an interrupted close had opened already', async () => {
    const flag = await raise({ customerId: customers[1]!, reason: 'low-nps', source: surveySource(0) });
    // The complaint was opened, then the close was cut off before the flag was written.
    const earlier = await app.complaints.create({ customerId: customers[1]!, ...complaintInput }, agent, `risk-flag:${flag.id}`);
    const before = (await app.complaints.ofCustomer(customers[1]!, agent)).items.length;
    const closed = await app.riskFlags.transition(flag.id, { action: 'close', outcome: 'complaint-opened', complaint: complaintInput }, agent, flag.version);
    expect(closed.complaintId).toBe(earlier.complaint.id);
    expect((await app.complaints.ofCustomer(customers[1]!, agent)).items.length).toBe(before);
  });

  it("shows a customer's flags, and raises one when a complaint is reopened the second time", async () => {
    const id = customers[1]!;
    const { complaint } = await app.complaints.create({ customerId: id, ...complaintInput, category: 'delivery' }, agent);
    const act = (input: ComplaintTransitionInput) => app.complaints.transition(complaint.id, input, { ...agent, purpose: 'complaint-handling' });
    const resolve = { action: 'resolve' as const, resolution: 'Redelivered', rootCause: 'delivery-delay' };
    for (const input of [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-5' }, { action: 'start' }, resolve, { action: 'reopen', reason: 'Late again' }, resolve] as ComplaintTransitionInput[]) await act(input);
    const reasons = async () => (await app.riskFlags.ofCustomer(id, agent)).items.filter((f) => f.source.kind === 'complaint' && f.source.complaintId === complaint.id);
    expect(await reasons()).toEqual([]);
    await act({ action: 'reopen', reason: 'Still late' });
    const flags = await reasons();
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ reason: 'complaint-reopened', status: 'assigned', assignee: 'agent-5', source: { reference: complaint.reference } });
    expect(await ids({ status: 'assigned', reason: 'complaint-reopened' })).toEqual([flags[0]!.id]);
    const all = (await app.riskFlags.ofCustomer(id, agent)).items.map((f) => f.id);
    expect(all).toEqual(expect.arrayContaining([lowCsat.id, flags[0]!.id]));
  });
});
