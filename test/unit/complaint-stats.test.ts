import { describe, expect, it } from 'vitest';
import { figuresOf, percentile, periodOf } from '../../shared/contexts/complaints/reports.js';
import { complaintReportQuery, createImprovementSchema } from '../../shared/contexts/complaints/report-schemas.js';
import { ComplaintStats, DURATION_BOUNDS, OVERFLOW_BUCKET, bucketOf, localDate, statsKey } from '../../shared/contexts/complaints/stats.js';
import type { Complaint, ComplaintAction, EscalationStep } from '../../shared/contexts/complaints/types.js';
import { shardOf } from '../../shared/platform/store/sharded.js';

const RECEIVED = '2026-03-02T01:00:00.000Z';
const minutesAfter = (minutes: number) => new Date(Date.parse(RECEIVED) + minutes * 60_000);

const complaint = (over: Partial<Complaint> = {}): Complaint => ({
  id: '7d4f8b1e-1c2a-4e5b-9f00-000000000001',
  reference: 'TS-2026-000001',
  customerId: '3f7a1c9e-0000-4000-8000-00000000c0de',
  channel: 'phone',
  category: 'billing',
  severity: 'high',
  language: 'zh-CN',
  privacy: false,
  subject: 'Wang Lei was charged twice',
  description: 'Called from 13800138000 about card 6222 0000 1111',
  receivedBy: 'agent-1',
  receivedAt: RECEIVED,
  status: 'received',
  milestones: {
    acknowledge: { state: 'active', dueAt: minutesAfter(60).toISOString() },
    firstResponse: { state: 'active', dueAt: minutesAfter(240).toISOString() },
    resolve: { state: 'active', dueAt: minutesAfter(2880).toISOString() },
    followUp: { state: 'pending' },
  },
  reopenCount: 0,
  escalations: [],
  notices: [],
  history: [{ action: 'receive', at: RECEIVED, actor: 'agent-1', role: 'agent' }],
  version: 1,
  ...over,
});

/** The complaint after one more step at `at`, with the given changes. */
const step = (c: Complaint, action: ComplaintAction | 'escalate', at: Date, changes: Partial<Complaint> = {}): Complaint => ({
  ...c,
  ...changes,
  history: [...c.history, { action, at: at.toISOString(), actor: 'agent-1', role: 'agent', reason: 'told Wang Lei on 13800138000' }],
  version: c.version + 1,
});

const stats = new ComplaintStats({ shards: 8 });
const countersOf = (previous: Complaint | undefined, next: Complaint, at: Date) => {
  const writes = stats.writesFor(previous, next, at);
  expect(writes).toHaveLength(1);
  const [write] = writes;
  if (write?.op !== 'add') throw new Error('expected an add');
  return write.counters;
};

describe('duration buckets', () => {
  it('puts a duration in the first bucket whose bound it does not exceed, and beyond the last in the overflow', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(0);
    expect(bucketOf(1.01)).toBe(1);
    expect(bucketOf(60)).toBe(DURATION_BOUNDS.indexOf(60));
    expect(bucketOf(61)).toBe(DURATION_BOUNDS.indexOf(90));
    expect(bucketOf(43200)).toBe(DURATION_BOUNDS.length - 1);
    expect(bucketOf(43201)).toBe(OVERFLOW_BUCKET);
  });

  it('reads a percentile as the upper bound of the bucket holding its rank', () => {
    const b = (minutes: number) => `ttr:b${bucketOf(minutes)}`;
    // Ten durations: 5, 5, 10, 60, 60, 60, 120, 120, 1440, 50000 (overflow).
    const counters = { [b(5)]: 2, [b(10)]: 1, [b(60)]: 3, [b(120)]: 2, [b(1440)]: 1, [`ttr:b${OVERFLOW_BUCKET}`]: 1 };
    expect(percentile(counters, 'ttr', 0.5)).toBe(60);
    expect(percentile(counters, 'ttr', 0.9)).toBe(1440);
    expect(percentile(counters, 'ttr', 1)).toBeNull();
    expect(percentile({}, 'ttr', 0.5)).toBeNull();
  });
});

describe('the counters a complaint change writes', () => {
  it('counts an intake by category, channel and severity, on the local day and shard of the complaint', () => {
    // 16:30Z is already the next day in Shanghai.
    const at = new Date('2026-03-01T16:30:00.000Z');
    const c = complaint({ receivedAt: at.toISOString(), department: 'data-protection' });
    const writes = stats.writesFor(undefined, c, at);
    expect(writes).toEqual([
      {
        op: 'add',
        table: 'data',
        key: statsKey('2026-03-02', shardOf(c.id, 8)),
        counters: { received: 1, 'category:billing': 1, 'channel:phone': 1, 'severity:high': 1, 'department:data-protection': 1 },
        label: 'complaint-stats',
      },
    ]);
    expect(writes[0]).toMatchObject({ key: { pk: `STATS#complaints#2026-03-02#${shardOf(c.id, 8)}`, sk: 'STATS' } });
    // The caller's calendar zone wins over the writer's own.
    expect(stats.writesFor(undefined, c, at, 'UTC')[0]).toMatchObject({ key: statsKey('2026-03-01', shardOf(c.id, 8)) });
  });

  it('holds no id, name, number or word of the customer', () => {
    const received = complaint();
    const resolved = step(received, 'resolve', minutesAfter(600), {
      status: 'resolved',
      resolution: { summary: 'Refunded Wang Lei', rootCause: 'billing-error', at: minutesAfter(600).toISOString() },
    });
    const text = JSON.stringify([...stats.writesFor(undefined, received, minutesAfter(0)), ...stats.writesFor(received, resolved, minutesAfter(600))]);
    for (const personal of [received.customerId, received.id, received.reference, 'Wang', '13800138000', '6222', 'Refunded']) {
      expect(text).not.toContain(personal);
    }
  });

  it('counts the first acknowledgement with its time, once', () => {
    const received = complaint();
    const acknowledged = step(received, 'acknowledge', minutesAfter(45), {
      status: 'acknowledged',
      milestones: { ...received.milestones, acknowledge: { state: 'met', dueAt: received.milestones.acknowledge.dueAt!, doneAt: minutesAfter(45).toISOString() } },
    });
    expect(countersOf(received, acknowledged, minutesAfter(45))).toEqual({ acknowledged: 1, [`tta:b${bucketOf(45)}`]: 1 });
    // A later step that repeats no acknowledgement adds nothing about it.
    const assigned = step(acknowledged, 'assign', minutesAfter(50), { status: 'assigned', assignee: 'agent-2' });
    expect(stats.writesFor(acknowledged, assigned, minutesAfter(50))).toEqual([]);
  });

  it('counts a department when a complaint first gets one or moves to another', () => {
    const received = complaint();
    const assigned = step(received, 'assign', minutesAfter(5), { status: 'assigned', department: 'finance' });
    expect(countersOf(received, assigned, minutesAfter(5))).toEqual({ 'department:finance': 1 });
    const again = step(assigned, 'assign', minutesAfter(6), { assignee: 'agent-3' });
    expect(stats.writesFor(assigned, again, minutesAfter(6))).toEqual([]);
    const moved = step(again, 'assign', minutesAfter(7), { department: 'logistics' });
    expect(countersOf(again, moved, minutesAfter(7))).toEqual({ 'department:logistics': 1 });
  });

  it('counts a resolution with its time, root cause and the limits met or missed; a second one after a reopening counts only its own limit', () => {
    const done = (state: 'met' | 'missed', at: number) => ({ state, dueAt: minutesAfter(1).toISOString(), doneAt: minutesAfter(at).toISOString() });
    const inProgress = complaint({
      status: 'in-progress',
      milestones: { acknowledge: done('met', 30), firstResponse: done('missed', 300), resolve: { state: 'active', dueAt: minutesAfter(2880).toISOString() }, followUp: { state: 'pending' } },
      history: [
        { action: 'receive', at: RECEIVED, actor: 'agent-1', role: 'agent' },
        { action: 'acknowledge', at: minutesAfter(30).toISOString(), actor: 'agent-1', role: 'agent' },
        { action: 'start', at: minutesAfter(300).toISOString(), actor: 'agent-1', role: 'agent' },
      ],
      version: 3,
    });
    const resolved = step(inProgress, 'resolve', minutesAfter(1440), {
      status: 'resolved',
      milestones: { ...inProgress.milestones, resolve: done('met', 1440), followUp: { state: 'active', dueAt: minutesAfter(4000).toISOString() } },
      resolution: { summary: 'refunded', rootCause: 'billing-error', at: minutesAfter(1440).toISOString() },
    });
    expect(countersOf(inProgress, resolved, minutesAfter(1440))).toEqual({
      resolved: 1,
      [`ttr:b${bucketOf(1440)}`]: 1,
      'cause:billing-error': 1,
      'met:acknowledge': 1,
      'missed:firstResponse': 1,
      'met:resolve': 1,
    });

    const reopened = step(resolved, 'reopen', minutesAfter(2000), {
      status: 'in-progress',
      reopenCount: 1,
      milestones: { ...resolved.milestones, resolve: { state: 'active', dueAt: minutesAfter(4880).toISOString() }, followUp: { state: 'pending' } },
    });
    expect(countersOf(resolved, reopened, minutesAfter(2000))).toEqual({ reopened: 1 });

    const resolvedAgain = step(reopened, 'resolve', minutesAfter(7200), {
      status: 'resolved',
      milestones: { ...reopened.milestones, resolve: done('missed', 7200) },
      resolution: { summary: 'refunded again', rootCause: 'system-fault', at: minutesAfter(7200).toISOString() },
    });
    expect(countersOf(reopened, resolvedAgain, minutesAfter(7200))).toEqual({
      resolved: 1,
      [`ttr:b${bucketOf(7200)}`]: 1,
      'cause:system-fault': 1,
      'missed:resolve': 1,
    });
  });

  it('counts a follow-up, its outcome and its rating', () => {
    const resolved = complaint({ status: 'resolved' });
    const rated = step(resolved, 'follow-up', minutesAfter(3000), { status: 'followed-up', followUp: { outcome: 'satisfied', rating: 4, note: 'Wang Lei is happy', at: minutesAfter(3000).toISOString() } });
    expect(countersOf(resolved, rated, minutesAfter(3000))).toEqual({ followUps: 1, 'followUp:satisfied': 1, ratingSum: 4, ratingCount: 1, 'rating:4': 1 });
    const unreachable = step(resolved, 'follow-up', minutesAfter(3000), { status: 'followed-up', followUp: { outcome: 'unreachable', at: minutesAfter(3000).toISOString() } });
    expect(countersOf(resolved, unreachable, minutesAfter(3000))).toEqual({ followUps: 1, 'followUp:unreachable': 1 });
  });

  it('counts each escalation level once, when it is first reached', () => {
    const level = (n: 1 | 2 | 3): EscalationStep => ({ level: n, target: (['assignee', 'department-lead', 'management'] as const)[n - 1]!, at: minutesAfter(100 * n).toISOString(), milestone: 'acknowledge' });
    const received = complaint();
    const first = step(received, 'escalate', minutesAfter(100), { escalations: [level(1)] });
    expect(countersOf(received, first, minutesAfter(100))).toEqual({ 'escalated:1': 1 });
    const announced = { ...first, escalations: [{ ...level(1), announcedAt: minutesAfter(101).toISOString() }], version: first.version + 1 };
    expect(stats.writesFor(first, announced, minutesAfter(101))).toEqual([]);
    const both = step(announced, 'escalate', minutesAfter(300), { escalations: [...announced.escalations, level(2), level(3)] });
    expect(countersOf(announced, both, minutesAfter(300))).toEqual({ 'escalated:2': 1, 'escalated:3': 1 });
  });

  it('never names a counter after something that is not a code', () => {
    const odd = complaint({ category: 'Wang Lei <script>', department: 'x'.repeat(200) });
    const counters = countersOf(undefined, odd, minutesAfter(0));
    expect(Object.keys(counters).sort()).toEqual(['channel:phone', 'received', 'severity:high']);
  });

  it('counts only the departments and root causes the policies list, code-shaped or not', () => {
    const shaped = complaint({ department: 'wang-lei-13800138000' });
    expect(Object.keys(countersOf(undefined, shaped, minutesAfter(0)))).not.toContain('department:wang-lei-13800138000');
    const listed = { departments: [{ code: 'claims', label: { 'zh-CN': '理赔', en: 'Claims' } }], rootCauses: [] };
    const claims = complaint({ department: 'claims' });
    expect(stats.writesFor(undefined, claims, minutesAfter(0), 'UTC', listed)[0]).toMatchObject({ counters: { 'department:claims': 1 } });
    const resolved = step(claims, 'resolve', minutesAfter(60), {
      status: 'resolved',
      resolution: { summary: 'done', rootCause: 'billing-error', at: minutesAfter(60).toISOString() },
    });
    expect(JSON.stringify(stats.writesFor(claims, resolved, minutesAfter(60), 'UTC', listed))).not.toContain('cause:');
  });
});

describe('report figures', () => {
  it('turns summed counters into counts, shares, percentiles and the top causes', () => {
    const figures = figuresOf({
      received: 4,
      'category:billing': 3,
      'category:delivery': 1,
      'channel:phone': 4,
      resolved: 4,
      reopened: 1,
      'met:resolve': 3,
      'missed:resolve': 1,
      'cause:a-cause': 1,
      'cause:b-cause': 3,
      'cause:c-cause': 1,
      followUps: 3,
      'followUp:satisfied': 1,
      'followUp:not-satisfied': 1,
      'followUp:unreachable': 1,
      ratingSum: 7,
      ratingCount: 2,
      'rating:5': 1,
      'rating:2': 1,
      [`ttr:b${bucketOf(60)}`]: 4,
    });
    expect(figures).toMatchObject({
      received: 4,
      byCategory: { billing: 3, delivery: 1 },
      byChannel: { phone: 4 },
      resolved: 4,
      reopenRate: 0.25,
      metWithinLimit: { acknowledge: null, firstResponse: null, resolve: 0.75 },
      followUp: { count: 3, satisfiedShare: 0.5, meanRating: 3.5, ratings: { '5': 1, '2': 1 } },
      resolveMinutes: { count: 4, p50: 60, p90: 60 },
      ackMinutes: { count: 0, p50: null, p90: null },
      topRootCauses: [{ code: 'b-cause', count: 3 }, { code: 'a-cause', count: 1 }, { code: 'c-cause', count: 1 }],
    });
  });

  it('names days, ISO weeks and months', () => {
    expect(periodOf('2026-12-28', 'week')).toBe('2026-W53');
    expect(periodOf('2027-01-03', 'week')).toBe('2026-W53');
    expect(periodOf('2027-01-04', 'week')).toBe('2027-W01');
    expect(periodOf('2026-03-02', 'week')).toBe('2026-W10');
    expect(periodOf('2026-03-02', 'month')).toBe('2026-03');
    expect(periodOf('2026-03-02', 'day')).toBe('2026-03-02');
    expect(localDate(new Date('2026-12-31T16:00:00Z'), 'Asia/Shanghai')).toBe('2027-01-01');
    expect(localDate(new Date('2026-12-31T16:00:00Z'), 'UTC')).toBe('2026-12-31');
  });

  it('takes ranges of at most 366 days, in order, and actions that name a cause or a category', () => {
    expect(complaintReportQuery.safeParse({ from: '2024-01-01', to: '2024-12-31' }).success).toBe(true);
    const long = complaintReportQuery.safeParse({ from: '2024-01-01', to: '2025-01-01' });
    expect(long.success).toBe(false);
    expect(long.error?.issues[0]?.path).toEqual(['to']);
    expect(complaintReportQuery.safeParse({ from: '2026-03-02', to: '2026-03-01' }).success).toBe(false);
    expect(complaintReportQuery.safeParse({ from: '2026-02-30', to: '2026-03-01' }).success).toBe(false);
    expect(complaintReportQuery.safeParse({ from: '2026-03-01', to: '2026-03-01', interval: 'year' }).success).toBe(false);
    const bare = createImprovementSchema.safeParse({ action: 'retrain', owner: 'lead-1', dueDate: '2026-04-01' });
    expect(bare.error?.issues[0]?.path).toEqual(['cause']);
    expect(createImprovementSchema.safeParse({ cause: 'billing-error', action: 'x'.repeat(1001), owner: 'lead-1', dueDate: '2026-04-01' }).success).toBe(false);
  });
});
