import type { AuditContext } from '../../platform/audit/index.js';
import type { Clock, Notifier, OutboundMessage, Store } from '../../platform/ports/index.js';
import { forEachSharded, shardPartition } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import { lastReopenAt, stepsInForce } from './milestones.js';
import { COMPLAINT_DUE, COMPLAINT_OVERDUE, type ComplaintItem, type ComplaintRepository } from './repository.js';
import { milestoneNames, type ComplaintPolicies, type EscalationStep, type EscalationTarget, type MilestoneName } from './types.js';

const T = dataTable.name;
/** Complaints read from the schedule at a time. */
const PAGE = 100;
/** Complaints whose deadlines are applied at once. */
const PARALLEL = 8;
/** The overdue count answers at most this many (an alarm fires far below it). */
export const MAX_OVERDUE_COUNT = 10_000;
/** "Due soon": a running deadline within this much time. */
export const DUE_SOON_MS = 60 * 60_000;

export interface ComplaintRef {
  customerId: string;
  id: string;
}

/** What the deadline schedule needs of the complaints (service.ts). */
export interface DeadlineTarget {
  applyDeadlines(ref: ComplaintRef, context: AuditContext): Promise<{ missed: MilestoneName[]; escalated?: EscalationStep }>;
}

/** What one run of the deadline schedule did: counts only. */
export interface DeadlineRun {
  /** Complaints with something due by now, each looked at once. */
  checked: number;
  /** Of those, how many rose an escalation level. */
  escalated: number;
  /** Open complaints with a missed deadline not yet done, after the run (at most MAX_OVERDUE_COUNT). */
  overdue: number;
  /** Open complaints with a running deadline within the next hour. */
  dueSoon: number;
  /** Complaints whose deadlines could not be applied this time (the next run tries again). */
  failed: number;
  /** The kind of the first such failure (an error name, never a message). */
  failure?: string;
}

/**
 * The deadline schedule (CMP-3), run every few minutes: every open complaint that has something
 * due by now (a deadline, the next escalation level, a notice to retry, an escalation to announce
 * again) is handed to the service, which records what is missed and raises the level, each once
 * however often it runs. It reads the deadline index, never the whole table, shard by shard.
 */
export class ComplaintDeadlineJob {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      complaints: DeadlineTarget;
      repository: Pick<ComplaintRepository, 'shards'>;
    },
  ) {}

  async run(context: AuditContext): Promise<DeadlineRun> {
    const now = this.deps.clock.now();
    const nowIso = now.toISOString();
    const soon = new Date(now.getTime() + DUE_SOON_MS).toISOString();
    const result: DeadlineRun = { checked: 0, escalated: 0, overdue: 0, dueSoon: 0, failed: 0 };
    // A complaint rewritten during the run may come round again in the same listing.
    const seen = new Set<string>();
    await forEachSharded<ComplaintItem>(
      this.deps.store,
      {
        table: T,
        index: 'gsi2',
        partition: { name: 'gsi2pk', prefix: COMPLAINT_DUE, shards: this.deps.repository.shards },
        range: { name: 'gsi2sk', to: `${soon}#~` },
        limit: PAGE,
      },
      async (items) => {
        const fresh = items.filter((item) => !seen.has(item.id));
        fresh.forEach((item) => seen.add(item.id));
        result.dueSoon += fresh.filter((item) => runsOutSoon(item, nowIso, soon)).length;
        const due = fresh.filter((item) => String(item.gsi2sk) <= `${nowIso}#~`);
        await inParallel(due, PARALLEL, async (item) => {
          try {
            const applied = await this.deps.complaints.applyDeadlines({ customerId: item.customerId, id: item.id }, context);
            result.checked += 1;
            if (applied.escalated) result.escalated += 1;
          } catch (error) {
            // One complaint that cannot be written (a conflict that outlasted the retries, an
            // unreadable record) holds up no other; it stays due and the next run takes it again.
            result.failed += 1;
            result.failure ??= error instanceof Error ? error.name : 'unknown';
          }
        });
      },
    );
    result.overdue = await this.countOverdue();
    return result;
  }

  /**
   * The overdue index counted shard by shard, all shards at once (Select COUNT: no complaint
   * is read into the function). Complaints spread evenly over the shards, so each shard is
   * counted up to twice its share of MAX_OVERDUE_COUNT: the sum is exact below the cap unless
   * one shard holds more than twice its share, and one run counts at most 2 x MAX_OVERDUE_COUNT.
   */
  private async countOverdue(): Promise<number> {
    const { shards } = this.deps.repository;
    const perShard = Math.ceil((2 * MAX_OVERDUE_COUNT) / shards);
    const counts = await Promise.all(
      Array.from({ length: shards }, (_, shard) =>
        this.deps.store.count({
          table: T,
          index: 'gsi4',
          partition: { name: 'gsi4pk', value: shardPartition(COMPLAINT_OVERDUE, shard) },
          max: perShard,
        }),
      ),
    );
    return Math.min(MAX_OVERDUE_COUNT, counts.reduce((sum, count) => sum + count, 0));
  }
}

/** A running deadline falls in (now, soon]. */
const runsOutSoon = (item: ComplaintItem, now: string, soon: string) =>
  milestoneNames.some((name) => {
    const milestone = item.milestones?.[name];
    return milestone?.state === 'active' && milestone.dueAt !== undefined && milestone.dueAt > now && milestone.dueAt <= soon;
  });

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await each(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, lane));
}

/** A `ComplaintEscalated` event's detail: ids and codes only. */
export interface ComplaintEscalatedDetail {
  complaintId: string;
  customerId: string;
  level: 1 | 2 | 3;
  target: EscalationTarget;
  milestone: MilestoneName;
  department?: string;
}

/** What became of one escalation event. */
export type Announcement =
  /** The staff message went out and the step is marked announced. */
  | { outcome: 'announced'; to: 'department-lead' | 'management' }
  /** An earlier delivery of the event announced it already: nothing sent. */
  | { outcome: 'already-announced' }
  /** No escalation contact is set for it: marked announced, nobody to tell (the policies need contacts). */
  | { outcome: 'no-contact' }
  /** The complaint (or that level) no longer exists, e.g. erased with its customer. */
  | { outcome: 'gone' };

const targetLabels: Record<EscalationTarget, { 'zh-CN': string; en: string }> = {
  assignee: { 'zh-CN': '处理人', en: 'assignee' },
  'department-lead': { 'zh-CN': '部门负责人', en: 'department lead' },
  management: { 'zh-CN': '管理层', en: 'management' },
};
const milestoneLabels: Record<MilestoneName, { 'zh-CN': string; en: string }> = {
  acknowledge: { 'zh-CN': '受理确认', en: 'acknowledgement' },
  firstResponse: { 'zh-CN': '首次答复', en: 'first response' },
  resolve: { 'zh-CN': '解决', en: 'resolution' },
  followUp: { 'zh-CN': '回访', en: 'follow-up' },
};

/**
 * Tells staff of an escalation (CMP-3), once per level: the department lead of the complaint's
 * department (for levels 1 and 2; level 1 names the assignee by id, which is no address), or
 * management (level 3, and whoever has no department lead on file). The message names the
 * reference, level, target, milestone and deadline: codes and staff ids, no customer data.
 *
 * A step already marked announced is not sent again. The message goes out before the step is
 * marked, so a delivery that fails is retried by the queue rather than lost; two deliveries of
 * the same event at the same moment may both send (at least once, never silently dropped).
 */
export class ComplaintAnnouncer {
  constructor(
    private readonly deps: {
      complaints: { markAnnounced(ref: ComplaintRef, level: 1 | 2 | 3): Promise<boolean> };
      repository: Pick<ComplaintRepository, 'find'>;
      policies: { current(): Promise<ComplaintPolicies> };
      notifier: Notifier;
    },
  ) {}

  async announce(detail: ComplaintEscalatedDetail): Promise<Announcement> {
    const ref = { customerId: detail.customerId, id: detail.complaintId };
    const item = await this.deps.repository.find(ref.customerId, ref.id);
    // After a reopen a level can be reached again: the step that counts is the one in force now.
    const step = item ? stepsInForce(item.escalations ?? [], lastReopenAt(item.history)).findLast((s) => s.level === detail.level) : undefined;
    if (!item || !step) return { outcome: 'gone' };
    if (step.announcedAt) return { outcome: 'already-announced' };
    const { escalationContacts } = await this.deps.policies.current();
    const department = item.department ?? detail.department;
    const lead = department ? escalationContacts.departmentLeads[department] : undefined;
    const recipient =
      detail.level === 3
        ? escalationContacts.management
          ? { to: escalationContacts.management, as: 'management' as const }
          : lead && { to: lead, as: 'department-lead' as const }
        : lead
          ? { to: lead, as: 'department-lead' as const }
          : escalationContacts.management && { to: escalationContacts.management, as: 'management' as const };
    if (recipient) await this.deps.notifier.send(escalationMessage(item, step, recipient.to));
    await this.deps.complaints.markAnnounced(ref, detail.level);
    return recipient ? { outcome: 'announced', to: recipient.as } : { outcome: 'no-contact' };
  }
}

/** The staff message of one escalation step, in Chinese and English. */
export function escalationMessage(item: ComplaintItem, step: EscalationStep, to: string): OutboundMessage {
  const due = item.milestones[step.milestone]?.dueAt ?? step.at;
  const target = targetLabels[step.target];
  const milestone = milestoneLabels[step.milestone];
  const assignee = step.target === 'assignee' ? (item.assignee ?? '-') : undefined;
  const lines = [
    `投诉 ${item.reference} 已升级至第 ${step.level} 级（${target['zh-CN']}）：${milestone['zh-CN']}时限 ${due} 已过。`,
    `Complaint ${item.reference} escalated to level ${step.level} (${target.en}): its ${milestone.en} deadline ${due} has passed.`,
    '',
    `Reference: ${item.reference}`,
    `Level: ${step.level} (${step.target})`,
    `Milestone: ${step.milestone}, due ${due}`,
    `Severity: ${item.severity}; category: ${item.category}; status: ${item.status}`,
    ...(item.department ? [`Department: ${item.department}`] : []),
    ...(assignee ? [`Assignee: ${assignee}`] : []),
    `Escalated at: ${step.at}`,
  ];
  return {
    channel: 'email',
    to,
    subject: `[Kehu] ${item.reference}: escalation level ${step.level} (${step.target}) / 投诉升级`,
    body: lines.join('\n'),
  };
}
