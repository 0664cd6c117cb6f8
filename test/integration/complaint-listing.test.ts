import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import type { Complaint, CreateComplaintInput, ListComplaintsQuery } from '../../shared/contexts/complaints/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, OutboundMessage, Write } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** CMP-2/CMP-3 listings through their indexes, page by page; the schedule's part of a complaint. */
let app: Container;
let offset = 0;
let failSends = false;
const sent: OutboundMessage[] = [];
const events: DomainEvent[] = [];
let undelivered = 0;
let integrityFailures = 0;
let raw: { client: DynamoDBClient; prefix: string };
const MIN = 60_000;
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'complaint-handling' };
const system = { actor: { id: 'complaint-deadlines', role: 'system' as const }, purpose: 'complaint-deadlines' };
const customers: string[] = [];
const created: Complaint[] = [];
/** Runs once, while the next notice is being sent (before it is recorded). */
let duringSend: ((message: OutboundMessage) => Promise<void>) | undefined;
/** Runs once, before the next transaction that writes a complaint (a write made in between). */
let beforeComplaintWrite: (() => Promise<void>) | undefined;

class InterleavingStore extends DynamoStore {
  override async transact(writes: Write[]): Promise<void> {
    const hook = writes.some((w) => w.label === 'complaint') ? beforeComplaintWrite : undefined;
    if (hook) {
      beforeComplaintWrite = undefined;
      await hook();
    }
    return super.transact(writes);
  }
}

const itemKey = (c: Pick<Complaint, 'customerId' | 'id'>) => ({ pk: { S: `CUSTOMER#${c.customerId}` }, sk: { S: `COMPLAINT#${c.id}` } });
const rawItem = async (c: Pick<Complaint, 'customerId' | 'id'>) =>
  (await raw.client.send(new GetItemCommand({ TableName: `${raw.prefix}-data`, Key: itemKey(c), ConsistentRead: true }))).Item!;
/** What someone with table access does: one complaint's sealed subject swapped for another's, the version moved on. */
async function damage(c: Pick<Complaint, 'customerId' | 'id'>, stolen: AttributeValue): Promise<void> {
  await raw.client.send(new UpdateItemCommand({
    TableName: `${raw.prefix}-data`,
    Key: itemKey(c),
    UpdateExpression: 'SET sealed.subject = :s, #v = #v + :one',
    ExpressionAttributeNames: { '#v': 'version' },
    ExpressionAttributeValues: { ':s': stolen, ':one': { N: '1' } },
  }));
}
/** A write of the schedule in between, as far as the version goes. */
const bumpVersion = (c: Pick<Complaint, 'customerId' | 'id'>) =>
  raw.client.send(new UpdateItemCommand({ TableName: `${raw.prefix}-data`, Key: itemKey(c), UpdateExpression: 'SET #v = #v + :one', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':one': { N: '1' } } }));

async function customer(): Promise<string> {
  const { customer } = await app.customers.create(newCustomer() as CreateCustomerInput, { actor: { id: 'seed', role: 'admin' }, purpose: 'service' }, resolveView('admin').view);
  return customer.id;
}

const intake = async (input: Partial<CreateComplaintInput>) =>
  (await app.complaints.create({ customerId: customers[0]!, channel: 'phone', category: 'billing', severity: 'medium', subject: 's', description: 'd', ...input }, agent)).complaint;

/** Every page of a listing, two at a time. */
async function all(query: ListComplaintsQuery): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await app.complaints.list({ ...query, limit: 2, ...(cursor ? { cursor } : {}) }, agent);
    ids.push(...page.items.map((c) => c.id));
    cursor = page.cursor;
    pages += 1;
  } while (cursor);
  return { ids, pages };
}

const expected = (match: (c: Complaint) => boolean) => created.filter(match).sort((a, b) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? 1 : -1) : a.receivedAt < b.receivedAt ? 1 : -1)).map((c) => c.id);

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  raw = { client, prefix };
  app = createContainer(testConfig(prefix, endpoint), {
    dynamodb: client,
    store: new InterleavingStore(client, prefix),
    keyService: new LocalKeyService(Buffer.alloc(32, 5)),
    clock: { now: () => new Date(Date.now() + offset) },
    notifier: {
      send: async (m) => {
        const hook = duringSend;
        duringSend = undefined;
        if (hook) await hook(m);
        return failSends ? Promise.reject(new Error('mail down')) : void sent.push(m);
      },
    },
    onUndelivered: () => void (undelivered += 1),
    events: { publish: async (e) => void events.push(...e) },
    onIntegrityFailure: () => void (integrityFailures += 1),
  });
  customers.push(await customer(), await customer());
  const plan: Array<Partial<CreateComplaintInput>> = [
    { severity: 'high' },
    { severity: 'high', category: 'delivery' },
    { severity: 'high', category: 'delivery', customerId: customers[1]! },
    { category: 'delivery' },
    { category: 'delivery', customerId: customers[1]! },
    { category: 'privacy' },
    { category: 'privacy', customerId: customers[1]! },
    { category: 'privacy', severity: 'low' },
    { category: 'privacy', channel: 'letter' },
    { customerId: customers[1]! },
  ];
  for (const input of plan) created.push(await intake(input));
  // Three acknowledged and assigned to one agent in the billing department.
  for (const c of created.filter((c) => !c.privacy).slice(0, 3)) {
    await app.complaints.transition(c.id, { action: 'acknowledge' }, agent);
    const assigned = await app.complaints.transition(c.id, { action: 'assign', assignee: 'agent-9', department: 'finance' }, agent);
    created[created.findIndex((x) => x.id === c.id)] = assigned;
  }
});

describe('complaint listings', () => {
  it.each<[string, ListComplaintsQuery, (c: Complaint) => boolean]>([
    ['every complaint', {}, () => true],
    ['a status', { status: 'received' }, (c) => c.status === 'received'],
    ['a category', { category: 'delivery' }, (c) => c.category === 'delivery'],
    ['a severity', { severity: 'high' }, (c) => c.severity === 'high'],
    ['a department', { department: 'data-protection' }, (c) => c.department === 'data-protection'],
    ['a department and severity', { department: 'data-protection', severity: 'medium' }, (c) => c.department === 'data-protection' && c.severity === 'medium'],
    ['an assignee', { assignee: 'agent-9' }, (c) => c.assignee === 'agent-9'],
    ['a customer', { customerId: '' }, (c) => c.customerId === customers[1]],
  ])('lists by %s, newest first, over more than one page', async (_name, query, match) => {
    const q = query.customerId === '' ? { ...query, customerId: customers[1]! } : query;
    const want = expected(match);
    expect(want.length).toBeGreaterThan(2);
    const { ids, pages } = await all(q);
    if (q.customerId) expect(ids.sort()).toEqual([...want].sort());
    else expect(ids).toEqual(want);
    expect(pages).toBeGreaterThan(1);
  });

  it('lists what falls due by a time, and what is overdue once the schedule has looked', async () => {
    // Every complaint's acknowledge falls due within a few business hours: within two weeks, whatever the day.
    const dueSoon = await all({ dueBefore: new Date(Date.now() + 14 * 24 * 60 * MIN).toISOString() });
    expect(dueSoon.ids.sort()).toEqual(created.map((c) => c.id).sort());
    expect(dueSoon.pages).toBeGreaterThan(1);
    expect((await all({ dueBefore: new Date(Date.now() - MIN).toISOString() })).ids).toEqual([]);
    expect((await all({ overdue: 'true' })).ids).toEqual([]);
    offset = 7 * 24 * 60 * MIN;
    try {
      for (const c of created.slice(0, 4)) await app.complaints.applyDeadlines(c, system);
      const overdue = await all({ overdue: 'true' });
      expect(overdue.ids.sort()).toEqual(created.slice(0, 4).map((c) => c.id).sort());
      expect(overdue.pages).toBeGreaterThan(1);
      expect((await all({ overdue: 'true', severity: 'high' })).ids.sort()).toEqual(created.slice(0, 3).map((c) => c.id).sort());
    } finally {
      offset = 0;
    }
  });
});

describe('the schedule on a complaint', () => {
  it('marks missed deadlines and escalates each level once, however often it is called', async () => {
    const c = await intake({ severity: 'critical', customerId: customers[1]! });
    offset = 30 * 24 * 60 * MIN;
    try {
      const first = await app.complaints.applyDeadlines(c, system);
      expect(first.missed.sort()).toEqual(['acknowledge', 'firstResponse', 'resolve']);
      expect(first.escalated).toMatchObject({ level: 3, target: 'management' });
      const again = await app.complaints.applyDeadlines(c, system);
      expect(again).toEqual({ missed: [] });
      const stored = await app.complaints.get(c.id, agent);
      expect(stored.escalations.map((s) => s.level)).toEqual([1, 2, 3]);
      expect(stored.history.filter((h) => h.action === 'escalate')).toHaveLength(3);
      const published = events.filter((e) => e.type === 'ComplaintEscalated' && e.detail.complaintId === c.id);
      expect(published.map((e) => e.detail.level)).toEqual([1, 2, 3]);
      expect(Object.keys(published[0]!.detail).sort()).toEqual(['complaintId', 'customerId', 'level', 'milestone', 'target']);
      expect(await app.complaints.markAnnounced(c, 2)).toBe(true);
      expect(await app.complaints.markAnnounced(c, 2)).toBe(false);
    } finally {
      offset = 0;
    }
  });

  it('takes a complaint in when the acknowledgement cannot be sent, and sends it on a later look', async () => {
    failSends = true;
    const before = undelivered;
    let c: Complaint;
    try {
      c = await intake({ customerId: customers[1]! });
    } finally {
      failSends = false;
    }
    expect(c.notices).toEqual([{ kind: 'acknowledgement', state: 'pending', attempts: 1, lastAttemptAt: expect.any(String) }]);
    expect(undelivered).toBe(before + 1);
    expect((await app.complaints.applyDeadlines(c, system)).missed).toEqual([]);
    expect((await app.complaints.get(c.id, agent)).notices[0]).toMatchObject({ state: 'pending', attempts: 1 });
    offset = 6 * MIN;
    try {
      await app.complaints.applyDeadlines(c, system);
    } finally {
      offset = 0;
    }
    expect((await app.complaints.get(c.id, agent)).notices[0]).toMatchObject({ state: 'sent', attempts: 2 });
    expect(sent.filter((m) => m.body.includes(c.reference))).toHaveLength(1);
  });
});

describe('the schedule and staff at the same time', () => {
  it('does not send a second acknowledgement while the first is still being sent', async () => {
    duringSend = async (message) => {
      const mine = (await app.complaints.list({ customerId: customers[1]!, limit: 100 }, agent)).items.find((c) => message.body.includes(c.reference));
      // The schedule runs while the send is in flight: the notice is not due for 5 minutes.
      await app.complaints.applyDeadlines(mine!, system);
    };
    const c = await intake({ customerId: customers[1]! });
    expect(duringSend).toBeUndefined();
    expect(sent.filter((m) => m.body.includes(c.reference))).toHaveLength(1);
    expect((await app.complaints.get(c.id, agent)).notices).toEqual([{ kind: 'acknowledgement', state: 'sent', attempts: 1, lastAttemptAt: expect.any(String) }]);
  });

  it('takes a staff action without If-Match on what is stored when the schedule wrote in between, and refuses a stale If-Match', async () => {
    const c = await intake({ customerId: customers[1]! });
    beforeComplaintWrite = () => bumpVersion(c).then(() => undefined);
    const acknowledged = await app.complaints.transition(c.id, { action: 'acknowledge' }, agent);
    expect(acknowledged).toMatchObject({ status: 'acknowledged', version: c.version + 2 });
    beforeComplaintWrite = () => bumpVersion(c).then(() => undefined);
    await expect(app.complaints.transition(c.id, { action: 'assign', assignee: 'agent-9' }, agent, acknowledged.version)).rejects.toMatchObject({ kind: 'precondition-failed' });
    expect((await app.complaints.get(c.id, agent)).status).toBe('acknowledged');
  });

  it('keeps a complaint waiting on the customer in the schedule for a notice to retry', async () => {
    failSends = true;
    let c: Complaint;
    try {
      c = await intake({ customerId: customers[1]! });
    } finally {
      failSends = false;
    }
    for (const step of [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-9' }, { action: 'start' }, { action: 'wait' }] as const) await app.complaints.transition(c.id, step, agent);
    const waiting = await rawItem(c);
    const retryAt = new Date(Date.parse(c.notices[0]!.lastAttemptAt!) + 5 * MIN).toISOString();
    expect(waiting.gsi2sk?.S).toBe(`${retryAt}#${c.id}`);
    offset = 6 * MIN;
    try {
      expect((await all({ dueBefore: new Date(Date.now() + offset).toISOString() })).ids).toContain(c.id);
      await app.complaints.applyDeadlines(c, system);
    } finally {
      offset = 0;
    }
    const after = await app.complaints.get(c.id, agent);
    expect(after).toMatchObject({ status: 'waiting-on-customer', notices: [{ state: 'sent', attempts: 2 }], escalations: [] });
    expect(after.milestones.resolve.state).toBe('paused');
    expect((await rawItem(c)).gsi2pk).toBeUndefined();
  });

  it('escalates a reopened complaint afresh from level 1 when it misses again', async () => {
    const c = await intake({ severity: 'critical', customerId: customers[1]! });
    for (const step of [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-9' }, { action: 'start' }] as const) await app.complaints.transition(c.id, step, agent);
    offset = 30 * 24 * 60 * MIN;
    try {
      expect((await app.complaints.applyDeadlines(c, system)).escalated).toMatchObject({ level: 3 });
      for (const step of [{ action: 'resolve', resolution: 'Refunded', rootCause: 'billing-error' }, { action: 'reopen', reason: 'Charged again' }] as const) await app.complaints.transition(c.id, step, agent);
      offset = 60 * 24 * 60 * MIN;
      const again = await app.complaints.applyDeadlines(c, system);
      expect(again).toMatchObject({ missed: ['resolve'], escalated: { level: 3, milestone: 'resolve' } });
      const stored = await app.complaints.get(c.id, agent);
      expect(stored.escalations.map((s) => `${s.level}:${s.milestone}`)).toEqual(['1:resolve', '2:resolve', '3:resolve', '1:resolve', '2:resolve', '3:resolve']);
      const ids = events.filter((e) => e.type === 'ComplaintEscalated' && e.detail.complaintId === c.id).map((e) => e.id);
      expect(new Set(ids).size).toBe(6);
      expect(await app.complaints.markAnnounced(c, 1)).toBe(true);
      expect(await app.complaints.markAnnounced(c, 1)).toBe(false);
      expect((await app.complaints.get(c.id, agent)).escalations.map((s) => s.announcedAt !== undefined)).toEqual([false, false, false, true, false, false]);
    } finally {
      offset = 0;
    }
  });
});

describe('a damaged complaint', () => {
  const subjectOf = async (c: Pick<Complaint, 'customerId' | 'id'>) => (await rawItem(c)).sealed!.M!.subject!;

  it('is shown without its texts, marked, alerted, and not changed', async () => {
    const c = await intake({ customerId: customers[1]! });
    const other = await intake({ customerId: customers[1]! });
    await damage(c, (await rawItem(other)).sealed!.M!.description!);
    const before = integrityFailures;
    const shown = await app.complaints.get(c.id, agent);
    expect(shown).toMatchObject({ id: c.id, integrity: 'failed', subject: '', description: '' });
    expect(integrityFailures).toBe(before + 1);
    await expect(app.complaints.transition(c.id, { action: 'acknowledge' }, agent)).rejects.toMatchObject({ kind: 'integrity' });
    expect((await app.complaints.get(c.id, agent)).status).toBe('received');
  });

  it('is never written back by a notice recorded after it was damaged', async () => {
    const other = await intake({ customerId: customers[1]! });
    const stolen = (await rawItem(other)).sealed!.M!.description!;
    let target: Complaint | undefined;
    duringSend = async (message) => {
      target = (await app.complaints.list({ customerId: customers[1]!, limit: 100 }, agent)).items.find((c) => message.body.includes(c.reference));
      await damage(target!, stolen);
    };
    await intake({ customerId: customers[1]! });
    const stored = await rawItem(target!);
    expect(stored.sealed!.M!.subject).toEqual(stolen);
    expect(stored.version!.N).toBe(String(target!.version + 1));
  });

  it('is not marked announced, and leaves the schedule once with its texts kept', async () => {
    const c = await intake({ severity: 'critical', customerId: customers[1]! });
    const other = await intake({ customerId: customers[1]! });
    offset = 30 * 24 * 60 * MIN;
    try {
      expect((await app.complaints.applyDeadlines(c, system)).escalated).toMatchObject({ level: 3 });
      await damage(c, (await rawItem(other)).sealed!.M!.description!);
      const damaged = await rawItem(c);
      expect(damaged.gsi2pk).toBeDefined();
      expect(await app.complaints.markAnnounced(c, 1)).toBe(false);
      expect(await subjectOf(c)).toEqual(damaged.sealed!.M!.subject);
      expect(await app.complaints.applyDeadlines(c, system)).toEqual({ missed: [] });
      const setAside = await rawItem(c);
      expect(setAside.gsi2pk).toBeUndefined();
      expect(setAside.gsi2sk).toBeUndefined();
      expect({ ...setAside, gsi2pk: undefined, gsi2sk: undefined, nextCheckAt: undefined }).toEqual({ ...damaged, gsi2pk: undefined, gsi2sk: undefined, nextCheckAt: undefined });
      expect((await all({ dueBefore: new Date(Date.now() + offset + 60 * MIN).toISOString() })).ids).not.toContain(c.id);
    } finally {
      offset = 0;
    }
  });
});
