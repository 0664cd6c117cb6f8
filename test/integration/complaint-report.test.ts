import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImprovementActionService } from '../../shared/contexts/complaints/improvements.js';
import { ComplaintReportService } from '../../shared/contexts/complaints/reports.js';
import { ComplaintStats } from '../../shared/contexts/complaints/stats.js';
import type { Complaint, ComplaintAction, EscalationStep, Milestone } from '../../shared/contexts/complaints/types.js';
import { PreconditionFailedError } from '../../shared/platform/errors/index.js';
import type { CountInput, QueryInput, QueryPage, Store, StoreItem, Write } from '../../shared/platform/ports/index.js';
import { complaintReportsOf } from '../../shared/runtime/services/reports.js';
import { createWiring, type Wiring } from '../../shared/runtime/wiring.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';

/**
 * CMP-4: the report read back from DynamoDB Local equals what this test works out itself
 * from the events it wrote. The events are synthetic complaints' changes, written as the
 * complaint service writes them: the stats writes of each (previous, next) pair in one
 * transaction with the change. Durations sit on bucket bounds, so percentiles are exact.
 */
const ZONE = 'Asia/Shanghai';
const MINUTE = 60_000;
/** Shanghai keeps +08:00 all year: a local day is the UTC date eight hours on. */
const shanghaiDay = (at: Date) => new Date(at.getTime() + 8 * 60 * MINUTE).toISOString().slice(0, 10);
/** 2026-03-01 00:00 in Shanghai. */
const START = Date.parse('2026-02-28T16:00:00.000Z');

/** Records the reads a report makes, so the test can say it never scans. */
class WatchedStore implements Store {
  keysRead = 0;
  queried: string[] = [];
  constructor(private readonly inner: Store) {}
  get cursors() {
    return this.inner.cursors;
  }
  get = <T extends StoreItem>(table: string, key: StoreItem) => this.inner.get<T>(table, key);
  getMany = <T extends StoreItem>(table: string, keys: StoreItem[]) => {
    expect(keys.length).toBeLessThanOrEqual(100);
    this.keysRead += keys.length;
    return this.inner.getMany<T>(table, keys);
  };
  query = <T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>> => {
    this.queried.push(input.partition.value);
    return this.inner.query<T>(input);
  };
  count = (input: CountInput) => this.inner.count(input);
  increment = (table: string, key: StoreItem, attribute: string, by?: number) => this.inner.increment(table, key, attribute, by);
  transact = (writes: Write[]) => this.inner.transact(writes);
}

interface Fact {
  day: string;
  kind: 'received' | 'department' | 'acknowledged' | 'resolved' | 'reopened' | 'followUp' | 'escalated';
  value?: string;
  minutes?: number;
  met?: boolean;
  outcome?: string;
  rating?: number;
}

const categories = ['billing', 'delivery', 'product'];
const channels = ['phone', 'email', 'online-form', 'letter'] as const;
const severities = ['low', 'medium', 'high', 'critical'] as const;
const causes = ['billing-error', 'delivery-delay', 'product-defect'];
const ACK = [5, 10, 30, 60];
const TTR = [240, 480, 1440, 2880, 4320];

const milestone = (state: Milestone['state'], at?: Date): Milestone => ({ state, dueAt: new Date(START).toISOString(), ...(at ? { doneAt: at.toISOString() } : {}) });

/** One complaint's life as (previous, next, at) changes, and the facts a report should show of it. */
function lifecycle(i: number): { changes: Array<[Complaint | undefined, Complaint, Date]>; facts: Fact[] } {
  // Every seventh comes in at 23:59 local, the rest in office hours; over ten local days.
  const received = new Date(START + (i % 10) * 1440 * MINUTE + (i % 7 === 0 ? 1439 : 540 + (i % 3) * 60) * MINUTE);
  const after = (minutes: number) => new Date(received.getTime() + minutes * MINUTE);
  const changes: Array<[Complaint | undefined, Complaint, Date]> = [];
  const facts: Fact[] = [];
  let current: Complaint = {
    id: randomUUID(),
    reference: `TS-2026-${String(i).padStart(6, '0')}`,
    customerId: randomUUID(),
    channel: channels[i % 4]!,
    category: categories[i % 3]!,
    severity: severities[(i + 1) % 4]!,
    language: 'zh-CN',
    privacy: false,
    subject: `Complaint of customer ${i}`,
    description: 'A customer story',
    receivedBy: 'agent-1',
    receivedAt: received.toISOString(),
    status: 'received',
    milestones: { acknowledge: milestone('active'), firstResponse: milestone('active'), resolve: milestone('active'), followUp: { state: 'pending' } },
    reopenCount: 0,
    escalations: [],
    notices: [],
    history: [{ action: 'receive', at: received.toISOString(), actor: 'agent-1', role: 'agent' }],
    version: 1,
  };
  changes.push([undefined, current, received]);
  facts.push({ day: shanghaiDay(received), kind: 'received', value: `${current.category}|${current.channel}|${current.severity}` });
  const move = (action: ComplaintAction | 'escalate', at: Date, changed: Partial<Complaint>) => {
    const next: Complaint = { ...current, ...changed, history: [...current.history, { action, at: at.toISOString(), actor: 'agent-1', role: 'agent' }], version: current.version + 1 };
    changes.push([current, next, at]);
    current = next;
  };
  const ack = ACK[i % 4]!;
  const ackMet = ack <= 30;
  move('acknowledge', after(ack), { status: 'acknowledged', milestones: { ...current.milestones, acknowledge: milestone(ackMet ? 'met' : 'missed', after(ack)) } });
  facts.push({ day: shanghaiDay(after(ack)), kind: 'acknowledged', minutes: ack });
  const department = i % 2 ? 'finance' : 'logistics';
  move('assign', after(ack + 1), { status: 'assigned', department, assignee: 'agent-2' });
  facts.push({ day: shanghaiDay(after(ack + 1)), kind: 'department', value: department });
  move('start', after(ack + 2), { status: 'in-progress', milestones: { ...current.milestones, firstResponse: milestone('met', after(ack + 2)) } });
  if (i % 4 === 3) {
    const step = (level: 1 | 2, at: number): EscalationStep => ({ level, target: level === 1 ? 'assignee' : 'department-lead', at: after(at).toISOString(), milestone: 'resolve' });
    move('escalate', after(90), { escalations: [step(1, 90)] });
    move('escalate', after(200), { escalations: [step(1, 90), step(2, 200)] });
    facts.push({ day: shanghaiDay(after(90)), kind: 'escalated', value: '1' }, { day: shanghaiDay(after(200)), kind: 'escalated', value: '2' });
  }
  const ttr = TTR[i % 5]!;
  const cause = causes[(i + 1) % 3]!;
  move('resolve', after(ttr), {
    status: 'resolved',
    milestones: { ...current.milestones, resolve: milestone(ttr <= 1440 ? 'met' : 'missed', after(ttr)) },
    resolution: { summary: 'fixed', rootCause: cause, at: after(ttr).toISOString() },
  });
  facts.push({ day: shanghaiDay(after(ttr)), kind: 'resolved', minutes: ttr, value: cause, met: ttr <= 1440 }, { day: shanghaiDay(after(ttr)), kind: 'acknowledged', value: 'limits', met: ackMet });
  if (i % 5 === 2) {
    move('reopen', after(ttr + 60), { status: 'in-progress', reopenCount: 1, milestones: { ...current.milestones, resolve: milestone('active') } });
    facts.push({ day: shanghaiDay(after(ttr + 60)), kind: 'reopened' });
    const again = ttr + 1440;
    move('resolve', after(again), {
      status: 'resolved',
      milestones: { ...current.milestones, resolve: milestone('missed', after(again)) },
      resolution: { summary: 'fixed again', rootCause: 'billing-error', at: after(again).toISOString() },
    });
    facts.push({ day: shanghaiDay(after(again)), kind: 'resolved', minutes: again, value: 'billing-error', met: false });
  }
  if (i % 3 === 0) {
    const outcome = i % 2 ? 'not-satisfied' : 'satisfied';
    const rating = i % 2 ? 2 : 5;
    const at = after(ttr + 3000);
    move('follow-up', at, { status: 'followed-up', followUp: { outcome, rating, at: at.toISOString() } });
    facts.push({ day: shanghaiDay(at), kind: 'followUp', outcome, rating });
  }
  return { changes, facts };
}

/** What the report should say of these facts, worked out from them directly. */
function expected(facts: Fact[]) {
  const of = (kind: Fact['kind']) => facts.filter((f) => f.kind === kind);
  const tally = (values: string[]) => values.reduce<Record<string, number>>((out, v) => ({ ...out, [v]: (out[v] ?? 0) + 1 }), {});
  const received = of('received').map((f) => f.value!.split('|'));
  const acks = of('acknowledged').filter((f) => f.minutes !== undefined).map((f) => f.minutes!);
  const firstLimits = of('acknowledged').filter((f) => f.value === 'limits');
  const resolutions = of('resolved');
  const rank = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.ceil(p * values.length) - 1] ?? null;
  const share = (part: number, whole: number) => (whole ? part / whole : null);
  const followUps = of('followUp');
  const reached = followUps.filter((f) => f.outcome !== 'unreachable');
  const topCauses = Object.entries(tally(resolutions.map((f) => f.value!)))
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return {
    received: received.length,
    byCategory: tally(received.map((r) => r[0]!)),
    byChannel: tally(received.map((r) => r[1]!)),
    bySeverity: tally(received.map((r) => r[2]!)),
    byDepartment: tally(of('department').map((f) => f.value!)),
    acknowledged: acks.length,
    resolved: resolutions.length,
    ackMinutes: { count: acks.length, p50: rank(acks, 0.5), p90: rank(acks, 0.9) },
    resolveMinutes: { count: resolutions.length, p50: rank(resolutions.map((f) => f.minutes!), 0.5), p90: rank(resolutions.map((f) => f.minutes!), 0.9) },
    metWithinLimit: {
      acknowledge: share(firstLimits.filter((f) => f.met).length, firstLimits.length),
      firstResponse: share(firstLimits.length, firstLimits.length),
      resolve: share(resolutions.filter((f) => f.met).length, resolutions.length),
    },
    reopenRate: share(of('reopened').length, resolutions.length),
    followUp: {
      count: followUps.length,
      satisfiedShare: share(reached.filter((f) => f.outcome === 'satisfied').length, reached.length),
      meanRating: share(followUps.reduce((s, f) => s + f.rating!, 0), followUps.length),
      ratings: tally(followUps.map((f) => String(f.rating))),
    },
    escalations: tally(of('escalated').map((f) => f.value!)),
    topRootCauses: topCauses,
  };
}

let wiring: Wiring;
let store: WatchedStore;
let now = Date.parse('2026-03-25T02:00:00.000Z');
const facts: Fact[] = [];
const customers: string[] = [];
const analyst = { actor: { id: 'analyst-1', role: 'analyst' as const }, purpose: 'complaint-improvement' };

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  wiring = createWiring(testConfig(prefix, endpoint), { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 4)), clock: { now: () => new Date(now) } });
  store = new WatchedStore(wiring.store);
  const stats = new ComplaintStats({ shards: wiring.config.indexShards.complaints });
  const lives = Array.from({ length: 40 }, (_, i) => lifecycle(i));
  for (const life of lives) {
    facts.push(...life.facts);
    customers.push(life.changes[0]![1].customerId);
  }
  // Changes of different complaints run concurrently, each in its own transaction with a write of the change itself.
  for (let i = 0; i < lives.length; i += 8) {
    await Promise.all(
      lives.slice(i, i + 8).map(async ({ changes }) => {
        for (const [previous, next, at] of changes) {
          const change: Write = { op: 'put', table: 'data', item: { pk: `TEST#${next.id}`, sk: `V#${next.version}`, status: next.status } };
          await store.transact([change, ...stats.writesFor(previous, next, at, ZONE)]);
        }
      }),
    );
  }
}, 60_000);

const services = () => {
  const improvements = new ImprovementActionService({ store, shards: wiring.config.indexShards.complaints, clock: wiring.clock, audit: wiring.audit, timeZone: () => ZONE });
  return { improvements, reports: new ComplaintReportService({ store, shards: wiring.config.indexShards.complaints, timeZone: () => ZONE, improvements }) };
};

describe('the complaints report', () => {
  it('equals, day by day and in total, what the events say', async () => {
    const { reports } = services();
    store.keysRead = 0;
    store.queried = [];
    const report = await reports.report({ from: '2026-03-01', to: '2026-03-21', interval: 'day' });
    expect(report.series).toHaveLength(21);
    for (const period of report.series) {
      expect(period).toEqual({ period: period.period, start: period.period, end: period.period, ...expected(facts.filter((f) => f.day === period.period)) });
    }
    expect(report.totals).toEqual(expected(facts.filter((f) => f.day >= '2026-03-01' && f.day <= '2026-03-21')));
    expect(report.totals.received).toBe(40);
    // Read by key, day by shard, never a scan of the complaints: only the actions' listing is queried.
    expect(store.keysRead).toBe(21 * wiring.config.indexShards.complaints);
    expect(store.queried.every((partition) => partition.startsWith('IMPROVEMENT#'))).toBe(true);
  });

  it('sums weeks and months over the days of the range, and holds no customer', async () => {
    const { reports } = services();
    const weeks = await reports.report({ from: '2026-03-02', to: '2026-03-15', interval: 'week' });
    expect(weeks.series.map((p) => [p.period, p.start, p.end])).toEqual([
      ['2026-W10', '2026-03-02', '2026-03-08'],
      ['2026-W11', '2026-03-09', '2026-03-15'],
    ]);
    expect(weeks.series[0]).toMatchObject(expected(facts.filter((f) => f.day >= '2026-03-02' && f.day <= '2026-03-08')));
    const month = await reports.report({ from: '2026-02-20', to: '2026-03-31', interval: 'month' });
    expect(month.series.map((p) => p.period)).toEqual(['2026-02', '2026-03']);
    expect(month.series[0]!.received).toBe(0);
    expect(month.series[1]).toMatchObject(expected(facts));
    const text = JSON.stringify(month);
    for (const id of customers) expect(text).not.toContain(id);
  });

  it('is served as wired, in the complaint calendar’s time zone', async () => {
    const report = await complaintReportsOf(wiring).report({ from: '2026-03-01', to: '2026-03-21', interval: 'week' });
    expect(report.timeZone).toBe(ZONE);
    expect(report.totals).toEqual(expected(facts.filter((f) => f.day >= '2026-03-01' && f.day <= '2026-03-21')));
  });
});

describe('improvement actions', () => {
  it('are recorded, audited, listed and measured before and after from the same counters', async () => {
    const { improvements, reports } = services();
    // Created on local 2026-03-11, done on local 2026-03-12; counted over 7 days each side.
    now = Date.parse('2026-03-11T02:00:00.000Z');
    const created = await improvements.create({ cause: 'billing-error', action: 'Stop the second capture', owner: 'lead-7', dueDate: '2026-03-31', effectDays: 7 }, analyst);
    now += MINUTE;
    const byCategory = await improvements.create({ category: 'delivery', action: 'New courier', owner: 'lead-8', dueDate: '2026-04-30' }, analyst);
    const resolvedWith = (from: string, to: string) => facts.filter((f) => f.kind === 'resolved' && f.value === 'billing-error' && f.day >= from && f.day <= to).length;
    expect(created).toMatchObject({ status: 'planned', version: 1, createdBy: 'analyst-1', effect: { measure: 'cause', days: 7, before: resolvedWith('2026-03-04', '2026-03-10'), after: null, afterDays: 0 } });
    expect(created.effect.before).toBeGreaterThan(0);
    const deliveries = facts.filter((f) => f.kind === 'received' && f.value!.startsWith('delivery|') && f.day >= '2026-02-09' && f.day <= '2026-03-10').length;
    expect(deliveries).toBeGreaterThan(0);
    expect(byCategory.effect).toEqual({ measure: 'category', days: 30, before: deliveries, after: null, afterDays: 0 });

    now = Date.parse('2026-03-12T03:00:00.000Z');
    await expect(improvements.update(created.id, { status: 'done', version: 2 }, analyst)).rejects.toBeInstanceOf(PreconditionFailedError);
    const done = await improvements.update(created.id, { status: 'done', version: 1 }, analyst);
    expect(done).toMatchObject({ status: 'done', doneAt: '2026-03-12T03:00:00.000Z', version: 2 });

    // Five whole days after it have passed on local 2026-03-18.
    now = Date.parse('2026-03-18T01:00:00.000Z');
    expect((await improvements.get(created.id)).effect).toEqual({ measure: 'cause', days: 7, before: resolvedWith('2026-03-04', '2026-03-10'), after: resolvedWith('2026-03-13', '2026-03-17'), afterDays: 5 });
    now = Date.parse('2026-03-25T02:00:00.000Z');
    const measured = await improvements.get(created.id);
    expect(measured.effect).toEqual({ measure: 'cause', days: 7, before: resolvedWith('2026-03-04', '2026-03-10'), after: resolvedWith('2026-03-13', '2026-03-19'), afterDays: 7 });

    const listed = await improvements.list({});
    expect(listed.items.map((a) => a.id)).toEqual([byCategory.id, created.id]);
    // A listing carries no effect (it would read each action's days).
    expect(listed.items.every((a) => !('effect' in a))).toBe(true);
    expect((await improvements.list({ status: 'done' })).items.map((a) => a.id)).toEqual([created.id]);

    const report = await reports.report({ from: '2026-03-01', to: '2026-03-21' });
    expect(report.improvementActions.map((a) => a.id)).toEqual([byCategory.id, created.id]);
    expect(report.improvementActions[1]).toEqual(measured);
    // Done before a range starts, or created after it ends: not the range's.
    expect((await reports.report({ from: '2026-03-12', to: '2026-03-14' })).improvementActions.map((a) => a.id)).toEqual([byCategory.id, created.id]);
    expect((await reports.report({ from: '2026-03-13', to: '2026-03-14' })).improvementActions.map((a) => a.id)).toEqual([byCategory.id]);
    expect((await reports.report({ from: '2026-03-01', to: '2026-03-10' })).improvementActions).toEqual([]);
    expect((await reports.report({ from: '2026-03-20', to: '2026-03-21' })).improvementActions.map((a) => a.id)).toEqual([byCategory.id]);

    const trail = await wiring.audit.list({ target: { type: 'improvement-action', id: created.id } }, {}, { limit: 10 });
    expect(trail.items.map((e) => [e.action, e.actor]).sort()).toEqual([
      ['improvement-action.create', 'analyst-1'],
      ['improvement-action.update', 'analyst-1'],
    ]);
  });
});

describe('the store’s add', () => {
  it('creates the item, adds atomically under concurrency, and merges adds to one item within a transaction', async () => {
    const key = { pk: `STATS#test#${randomUUID()}`, sk: 'STATS' };
    await wiring.store.transact([{ op: 'add', table: 'data', key, counters: { 'category:billing': 1, 'ttr:b3': 2 } }]);
    expect(await wiring.store.get('data', key)).toEqual({ ...key, 'category:billing': 1, 'ttr:b3': 2 });
    // Twenty writers at once, each adding on its own: none is lost.
    await Promise.all(Array.from({ length: 20 }, () => wiring.store.transact([{ op: 'add', table: 'data', key, counters: { 'category:billing': 1 } }])));
    // DynamoDB refuses a transaction naming one item twice: the store makes them one add.
    const other = { pk: `TEST#${randomUUID()}`, sk: 'V#1' };
    await wiring.store.transact([
      { op: 'put', table: 'data', item: other, condition: { kind: 'absent' } },
      { op: 'add', table: 'data', key, counters: { received: 1 } },
      { op: 'add', table: 'data', key, counters: { received: 2, 'ttr:b3': -1 } },
    ]);
    expect(await wiring.store.get('data', key)).toEqual({ ...key, 'category:billing': 21, 'ttr:b3': 1, received: 3 });
    expect(await wiring.store.get('data', other)).toEqual(other);
  });
});
