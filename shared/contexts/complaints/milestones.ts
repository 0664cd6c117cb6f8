import { addBusinessMinutes, businessMinutesBetween, type BusinessCalendar } from '../../platform/calendar/index.js';
import {
  escalationTargets,
  milestoneNames,
  type ComplaintLimits,
  type ComplaintPolicies,
  type ComplaintSeverity,
  type ComplaintStatus,
  type EscalationStep,
  type MilestoneName,
  type Milestones,
  type NoticeState,
} from './types.js';

/**
 * The time limits of a complaint (CMP-3): pure functions of the milestones, the policies and
 * the time, so that the service, the schedule and the tests agree on every deadline.
 */

/** A pending notice is retried this long after its last attempt, at most this often. */
export const NOTICE_RETRY_MS = 5 * 60_000;
export const NOTICE_MAX_ATTEMPTS = 5;
/** An escalation not yet announced is published again this long after it last was. */
export const REPUBLISH_AFTER_MS = 10 * 60_000;

const later = (calendar: BusinessCalendar, from: string, minutes: number) => addBusinessMinutes(calendar, new Date(from), minutes).toISOString();

/** The limits of the rule for this severity and category, else of the severity alone. */
export function limitsFor(policies: Pick<ComplaintPolicies, 'rules'>, severity: ComplaintSeverity, category: string): ComplaintLimits {
  const rule =
    policies.rules.find((r) => r.severity === severity && r.category === category) ?? policies.rules.find((r) => r.severity === severity && r.category === undefined);
  if (!rule) throw new Error(`No complaint policy covers severity ${severity}.`);
  return rule.limits;
}

/** At intake: acknowledge, first response and resolve run from receipt; the follow-up waits for a resolution. */
export function initialMilestones(calendar: BusinessCalendar, receivedAt: string, limits: ComplaintLimits): Milestones {
  return {
    acknowledge: { state: 'active', dueAt: later(calendar, receivedAt, limits.acknowledge) },
    firstResponse: { state: 'active', dueAt: later(calendar, receivedAt, limits.firstResponse) },
    resolve: { state: 'active', dueAt: later(calendar, receivedAt, limits.resolve) },
    followUp: { state: 'pending' },
  };
}

/** The milestone done at `at`: met when by its deadline, else missed (and missed stays missed). */
export function complete(milestones: Milestones, name: MilestoneName, at: string): Milestones {
  const m = milestones[name];
  if (m.state === 'met' || (m.state === 'missed' && m.doneAt)) return milestones;
  const missed = m.state === 'missed' || (m.dueAt !== undefined && m.dueAt < at);
  return { ...milestones, [name]: { ...m, state: missed ? 'missed' : 'met', doneAt: at } };
}

/** Waiting on the customer: every running clock stops. */
export function pause(milestones: Milestones): Milestones {
  return mapMilestones(milestones, (m) => (m.state === 'active' ? { ...m, state: 'paused' } : m));
}

/** The customer answered: each paused deadline moves on by the business time spent waiting. */
export function resume(calendar: BusinessCalendar, milestones: Milestones, pausedSince: string, at: string): Milestones {
  const waited = businessMinutesBetween(calendar, new Date(pausedSince), new Date(at));
  // No business time waited: the deadline stays (moving it by 0 would still carry one set at
  // the end of working hours over to the next morning).
  return mapMilestones(milestones, (m) =>
    m.state === 'paused' ? { ...m, state: 'active', ...(m.dueAt && waited > 0 ? { dueAt: later(calendar, m.dueAt, waited) } : {}) } : m,
  );
}

/** Resolved: the follow-up's clock starts. */
export function startFollowUp(calendar: BusinessCalendar, milestones: Milestones, resolvedAt: string, limits: ComplaintLimits): Milestones {
  return { ...milestones, followUp: { state: 'active', dueAt: later(calendar, resolvedAt, limits.followUp) } };
}

/** Reopened: resolve runs again with a new deadline from now, the follow-up waits again. */
export function reopenMilestones(calendar: BusinessCalendar, milestones: Milestones, at: string, limits: ComplaintLimits): Milestones {
  return { ...milestones, resolve: { state: 'active', dueAt: later(calendar, at, limits.resolve) }, followUp: { state: 'pending' } };
}

/** Active milestones whose deadline has passed become missed; answers which. */
export function markMissed(milestones: Milestones, now: string): { milestones: Milestones; missed: MilestoneName[] } {
  const missed = milestoneNames.filter((name) => milestones[name].state === 'active' && milestones[name].dueAt !== undefined && milestones[name].dueAt! <= now);
  if (!missed.length) return { milestones, missed };
  return { milestones: mapMilestones(milestones, (m, name) => (missed.includes(name) ? { ...m, state: 'missed' } : m)), missed };
}

/** Missed and still not done: what escalates, and what makes a complaint overdue. */
export const unmet = (milestones: Milestones): MilestoneName[] => milestoneNames.filter((name) => milestones[name].state === 'missed' && !milestones[name].doneAt);

/** The earliest deadline missed and still not done, if any (the overdue index's sort key). */
export function overdueSince(milestones: Milestones): string | undefined {
  return unmet(milestones)
    .map((name) => milestones[name].dueAt!)
    .sort()[0];
}

/** When each escalation level of a missed milestone falls due: 1 at its deadline, then after the policy's business minutes. */
export function levelTimes(calendar: BusinessCalendar, dueAt: string, escalation: ComplaintPolicies['escalation']): [string, string, string] {
  return [dueAt, later(calendar, dueAt, escalation.departmentLeadAfter), later(calendar, dueAt, escalation.managementAfter)];
}

/** When the complaint was last reopened (from its history), if ever. */
export const lastReopenAt = (history: ReadonlyArray<{ action: string; at: string }> = []): string | undefined =>
  history.reduce<string | undefined>((last, entry) => (entry.action === 'reopen' && (!last || entry.at > last) ? entry.at : last), undefined);

/**
 * The steps in force: those taken since the last reopen (`since`). A reopened complaint
 * escalates afresh from level 1; the earlier steps stay in `escalations` for the record.
 */
export const stepsInForce = (escalations: EscalationStep[], since?: string) => (since ? escalations.filter((s) => s.at >= since) : escalations);

/** The escalation level in force: the highest level taken since the last reopen. */
export const currentLevel = (escalations: EscalationStep[], since?: string) => stepsInForce(escalations, since).reduce((level, step) => Math.max(level, step.level), 0);

/**
 * The escalation steps due now beyond those already taken since the last reopen (`since`;
 * levels only rise, each once): the highest level any missed milestone has reached, and every
 * level below it not yet taken.
 */
export function dueEscalations(
  calendar: BusinessCalendar,
  milestones: Milestones,
  escalations: EscalationStep[],
  escalation: ComplaintPolicies['escalation'],
  now: string,
  since?: string,
): EscalationStep[] {
  let reached = 0;
  let cause: MilestoneName | undefined;
  for (const name of unmet(milestones)) {
    const times = levelTimes(calendar, milestones[name].dueAt!, escalation);
    const level = times.filter((t) => t <= now).length;
    if (level > reached) {
      reached = level;
      cause = name;
    }
  }
  const steps: EscalationStep[] = [];
  for (let level = currentLevel(escalations, since) + 1; level <= reached; level += 1) {
    steps.push({ level: level as 1 | 2 | 3, target: escalationTargets[level - 1]!, at: now, milestone: cause! });
  }
  return steps;
}

/** Unannounced steps published long enough ago to publish again. */
export function toRepublish(escalations: EscalationStep[], now: string): EscalationStep[] {
  return escalations.filter((s) => !s.announcedAt && new Date(s.publishedAt ?? s.at).getTime() + REPUBLISH_AFTER_MS <= new Date(now).getTime());
}

/** A notice still to be retried: pending, with attempts left. */
export const retriable = (notice: NoticeState) => notice.state === 'pending' && notice.attempts < NOTICE_MAX_ATTEMPTS;

/**
 * A pending notice is created with `lastAttemptAt` set to its creation (its first send is under
 * way then): it is retried 5 minutes after its last attempt, never while the first is in flight.
 */
export const pendingNotice = (kind: NoticeState['kind'], at: string): NoticeState => ({ kind, state: 'pending', attempts: 0, lastAttemptAt: at });

const noticeRetryAt = (notice: NoticeState) => new Date(new Date(notice.lastAttemptAt ?? 0).getTime() + NOTICE_RETRY_MS).toISOString();
export const noticeDue = (notice: NoticeState, now: string) => retriable(notice) && noticeRetryAt(notice) <= now;

/**
 * When the schedule must look at the complaint next: the earliest running deadline, the next
 * escalation level of a missed one, a notice's retry, an unannounced escalation's re-publish.
 * While the customer is waited on, the time limits stand still: only notices and re-publishes.
 */
export function nextCheckAt(
  calendar: BusinessCalendar,
  complaint: {
    milestones: Milestones;
    escalations: EscalationStep[];
    notices: NoticeState[];
    status?: ComplaintStatus;
    history?: ReadonlyArray<{ action: string; at: string }>;
  },
  escalation: ComplaintPolicies['escalation'],
): string | undefined {
  const { milestones, escalations, notices } = complaint;
  const waiting = complaint.status === 'waiting-on-customer';
  const times: string[] = [];
  if (!waiting) for (const name of milestoneNames) if (milestones[name].state === 'active' && milestones[name].dueAt) times.push(milestones[name].dueAt!);
  const level = currentLevel(escalations, lastReopenAt(complaint.history));
  if (!waiting && level < 3) {
    for (const name of unmet(milestones)) {
      const next = levelTimes(calendar, milestones[name].dueAt!, escalation).slice(level);
      if (next[0]) times.push(next[0]);
    }
  }
  for (const notice of notices) if (retriable(notice)) times.push(noticeRetryAt(notice));
  for (const step of escalations) {
    if (!step.announcedAt) times.push(new Date(new Date(step.publishedAt ?? step.at).getTime() + REPUBLISH_AFTER_MS).toISOString());
  }
  return times.sort()[0];
}

function mapMilestones(milestones: Milestones, f: (m: Milestones[MilestoneName], name: MilestoneName) => Milestones[MilestoneName]): Milestones {
  return Object.fromEntries(milestoneNames.map((name) => [name, f(milestones[name], name)])) as Milestones;
}
