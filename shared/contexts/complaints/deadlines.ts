import type { AuditContext } from '../../platform/audit/index.js';
import { ConditionFailedError, type DomainEvent, type Write } from '../../platform/ports/index.js';
import { dueEscalations, lastReopenAt, markMissed, nextCheckAt, noticeDue, stepsInForce, toRepublish } from './milestones.js';
import { attemptNotice, messageFor, type NoticeAddress } from './notices.js';
import { isOpenComplaint } from './state-machine.js';
import type { Complaint, ComplaintHistoryEntry, ComplaintPolicies, ComplaintServiceDeps, EscalationStep, MilestoneName, NoticeState } from './types.js';

type Ref = { customerId: string; id: string };
type Draft = { action: string; target: { type: string; id: string } };

/** What the deadline work needs of the service: reading and storing a complaint, its customer's address. */
export interface DeadlineHooks {
  load(ref: Ref): Promise<Complaint | undefined>;
  /** When the stored complaint is scheduled to be looked at next (its deadline index entry). */
  scheduledAt(ref: Ref): Promise<string | undefined>;
  save(previous: Complaint, next: Complaint, policies: ComplaintPolicies, context: AuditContext, drafts: Draft[], writes?: Write[]): Promise<void>;
  addressOf(customerId: string, context: AuditContext): Promise<NoticeAddress | undefined>;
  /** Takes a damaged complaint out of the deadline index as it is stored (its texts untouched). */
  unschedule(ref: Ref): Promise<void>;
}

const MAX_ATTEMPTS = 5;

/**
 * The schedule's part of a complaint (CMP-3): deadlines passed become missed, escalation levels
 * fall due (each once, levels only rising), notices not yet delivered are retried, escalations
 * not yet announced are published again. One conditional write, retried on a conflict.
 */
export class ComplaintDeadlines {
  constructor(
    private readonly deps: Pick<ComplaintServiceDeps, 'policies' | 'clock' | 'events' | 'notifier' | 'onUndelivered' | 'onPublishFailure'>,
    private readonly hooks: DeadlineHooks,
  ) {}

  async apply(ref: Ref, context: AuditContext): Promise<{ missed: MilestoneName[]; escalated?: EscalationStep }> {
    const policies = await this.deps.policies.current();
    const first = await this.hooks.load(ref);
    if (first?.integrity) return this.setAside(ref);
    if (!first || !isOpenComplaint(first.status)) return { missed: [] };
    // Notices are sent once, before the write; what they did is applied to whatever is stored then.
    const sent = await this.retryNotices(first, policies, context);
    for (let attempt = 1; ; attempt += 1) {
      const current = attempt === 1 ? first : await this.hooks.load(ref);
      if (current?.integrity) return this.setAside(ref);
      if (!current || !isOpenComplaint(current.status)) return { missed: [] };
      const now = this.deps.clock.now().toISOString();
      const { milestones, missed } = markMissed(current.milestones, now);
      // While the customer is waited on the clocks stand still: no level rises (notices and re-publishes go on).
      const waiting = current.status === 'waiting-on-customer';
      const steps = waiting
        ? []
        : dueEscalations(policies.calendar, milestones, current.escalations, policies.escalation, now, lastReopenAt(current.history)).map((s) => ({ ...s, publishedAt: now }));
      const again = toRepublish(current.escalations, now);
      const notices = current.notices.map((n) => (n.state === 'pending' ? (sent.get(n.kind) ?? n) : n));
      const changedNotices = notices.some((n, i) => n !== current.notices[i]);
      if (!missed.length && !steps.length && !again.length && !changedNotices) {
        // Nothing due: a schedule entry left stale (the policies changed) is moved to the real next time.
        if (attempt === 1 && (await this.hooks.scheduledAt(ref)) !== nextCheckAt(policies.calendar, current, policies.escalation)) {
          try {
            await this.hooks.save(current, { ...current, version: current.version + 1 }, policies, context, []);
          } catch (error) {
            if (!(error instanceof ConditionFailedError)) throw error;
          }
        }
        return { missed: [] };
      }
      const history: ComplaintHistoryEntry[] = steps.map(() => ({ action: 'escalate', at: now, actor: context.actor.id, role: context.actor.role, from: current.status, to: current.status }));
      const next: Complaint = {
        ...current,
        milestones,
        notices,
        escalations: [...current.escalations.map((s) => (again.includes(s) ? { ...s, publishedAt: now } : s)), ...steps],
        history: [...current.history, ...history],
        version: current.version + 1,
      };
      const drafts = missed.length || steps.length ? [{ action: 'complaint.escalate', target: { type: 'customer', id: current.customerId } }] : [];
      try {
        await this.hooks.save(current, next, policies, context, drafts);
      } catch (error) {
        if (error instanceof ConditionFailedError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
      await this.publish(next, [...again, ...steps], now);
      const escalated = steps.at(-1);
      return { missed, ...(escalated ? { escalated } : {}) };
    }
  }

  /** Marks the step of `level` in force (since the last reopen) announced; false when it was, or is not there. */
  async markAnnounced(ref: Ref, level: 1 | 2 | 3): Promise<boolean> {
    const policies = await this.deps.policies.current();
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.hooks.load(ref);
      // A damaged complaint is never written back: its texts would be sealed again as blanks.
      if (!current || current.integrity) return false;
      const step = stepsInForce(current.escalations, lastReopenAt(current.history)).findLast((s) => s.level === level);
      if (!step || step.announcedAt) return false;
      const at = this.deps.clock.now().toISOString();
      const next: Complaint = {
        ...current,
        escalations: current.escalations.map((s) => (s === step ? { ...s, announcedAt: at } : s)),
        version: current.version + 1,
      };
      try {
        await this.hooks.save(current, next, policies, { actor: { id: 'complaint-escalations', role: 'system' }, purpose: 'complaint-escalation' }, []);
        return true;
      } catch (error) {
        if (error instanceof ConditionFailedError && attempt < MAX_ATTEMPTS) continue;
        throw error;
      }
    }
  }

  /**
   * A complaint whose texts fail their check is left as it is (the evidence) and taken out of
   * the schedule, so that runs do not read it again and again; operators were alerted on reading.
   */
  private async setAside(ref: Ref): Promise<{ missed: MilestoneName[] }> {
    await this.hooks.unschedule(ref);
    return { missed: [] };
  }

  private async retryNotices(complaint: Complaint, policies: ComplaintPolicies, context: AuditContext): Promise<Map<NoticeState['kind'], NoticeState>> {
    const now = this.deps.clock.now().toISOString();
    const due = complaint.notices.filter((n) => noticeDue(n, now));
    const results = new Map<NoticeState['kind'], NoticeState>();
    if (!due.length) return results;
    // An address that cannot be read now is an attempt that failed: the deadlines go on regardless.
    const address = await this.hooks.addressOf(complaint.customerId, context).catch(() => undefined);
    for (const notice of due) {
      results.set(notice.kind, await attemptNotice(this.deps, notice, address, messageFor(complaint, notice.kind, policies.calendar.timeZone), now));
    }
    return results;
  }

  /**
   * `ComplaintEscalated`, ids and codes only; its id is the same each time a step is published
   * (a step taken after the n-th reopen carries `:n`, so it is not taken for the earlier one).
   */
  private async publish(complaint: Complaint, steps: EscalationStep[], at: string): Promise<void> {
    if (!steps.length) return;
    const round = (step: EscalationStep) => complaint.history.filter((h) => h.action === 'reopen' && h.at <= step.at).length;
    const events: DomainEvent[] = steps.map((s) => ({
      type: 'ComplaintEscalated',
      id: `${complaint.id}:escalate:${s.level}${round(s) ? `:${round(s)}` : ''}`,
      at,
      detail: {
        complaintId: complaint.id,
        customerId: complaint.customerId,
        level: s.level,
        target: s.target,
        milestone: s.milestone,
        ...(complaint.department ? { department: complaint.department } : {}),
      },
    }));
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      this.deps.onPublishFailure(error, events);
    }
  }
}
