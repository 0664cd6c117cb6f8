import { describe, expect, it } from 'vitest';
import {
  complete,
  dueEscalations,
  initialMilestones,
  limitsFor,
  markMissed,
  nextCheckAt,
  overdueSince,
  pause,
  pendingNotice,
  reopenMilestones,
  resume,
  startFollowUp,
  defaultComplaintPolicies,
  type EscalationStep,
} from '../../shared/contexts/complaints/index.js';
import type { BusinessCalendar } from '../../shared/platform/calendar/index.js';

const MIN = 60_000;
const plus = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * MIN).toISOString();
/** Every minute is business time: business minutes are wall-clock minutes. */
const allDay: BusinessCalendar = { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], hours: [{ start: '00:00', end: '24:00' }], holidays: [], workingDates: [] };
/** Monday to Friday, 09:00-18:00 UTC. */
const office: BusinessCalendar = { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5], hours: [{ start: '09:00', end: '18:00' }], holidays: [], workingDates: [] };
const limits = { acknowledge: 60, firstResponse: 240, resolve: 1440, followUp: 600 };
const escalation = { departmentLeadAfter: 120, managementAfter: 480 };
const received = '2026-12-01T08:00:00.000Z'; // a Tuesday

describe('complaint milestones', () => {
  it('starts acknowledge, first response and resolve at intake, in business time, and the follow-up later', () => {
    const m = initialMilestones(allDay, received, limits);
    expect(m.acknowledge).toEqual({ state: 'active', dueAt: plus(received, 60) });
    expect(m.firstResponse).toEqual({ state: 'active', dueAt: plus(received, 240) });
    expect(m.resolve).toEqual({ state: 'active', dueAt: plus(received, 1440) });
    expect(m.followUp).toEqual({ state: 'pending' });
    // Friday 17:30: half an hour that day, the other 90 minutes from Monday 09:00.
    expect(initialMilestones(office, '2026-12-04T17:30:00.000Z', limits).acknowledge.dueAt).toBe('2026-12-07T09:30:00.000Z');
  });

  it('takes the rule of the severity and category before the severity alone', () => {
    expect(limitsFor(defaultComplaintPolicies, 'medium', 'privacy').acknowledge).toBe(60);
    expect(limitsFor(defaultComplaintPolicies, 'medium', 'billing').acknowledge).toBe(120);
  });

  it('is met when done by its deadline, missed when done after, and stays missed', () => {
    const m = initialMilestones(allDay, received, limits);
    expect(complete(m, 'acknowledge', plus(received, 59)).acknowledge).toEqual({ state: 'met', dueAt: plus(received, 60), doneAt: plus(received, 59) });
    expect(complete(m, 'acknowledge', plus(received, 61)).acknowledge).toEqual({ state: 'missed', dueAt: plus(received, 60), doneAt: plus(received, 61) });
    const { milestones, missed } = markMissed(m, plus(received, 60));
    expect(missed).toEqual(['acknowledge']);
    expect(milestones.acknowledge.state).toBe('missed');
    expect(overdueSince(milestones)).toBe(plus(received, 60));
    const lateButDone = complete(milestones, 'acknowledge', plus(received, 61));
    expect(lateButDone.acknowledge).toEqual({ state: 'missed', dueAt: plus(received, 60), doneAt: plus(received, 61) });
    expect(overdueSince(lateButDone)).toBeUndefined();
    expect(startFollowUp(allDay, m, plus(received, 100), limits).followUp).toEqual({ state: 'active', dueAt: plus(received, 700) });
  });

  it('pauses the running clocks while waiting, and moves each deadline on by the business time waited', () => {
    const m = complete(initialMilestones(allDay, received, limits), 'acknowledge', plus(received, 10));
    const paused = pause(m);
    expect(paused.acknowledge.state).toBe('met');
    expect(paused.resolve.state).toBe('paused');
    expect(markMissed(paused, plus(received, 5000)).missed).toEqual([]);
    const resumed = resume(allDay, paused, plus(received, 100), plus(received, 190));
    expect(resumed.resolve).toEqual({ state: 'active', dueAt: plus(received, 1440 + 90) });
    expect(resumed.firstResponse).toEqual({ state: 'active', dueAt: plus(received, 240 + 90) });
    expect(resumed.acknowledge).toEqual(m.acknowledge);

    // In office hours: waiting from Friday 17:00 to Monday 10:00 is two business hours.
    const friday = '2026-12-04T17:00:00.000Z';
    const officeMilestones = pause(initialMilestones(office, '2026-12-04T16:00:00.000Z', limits));
    const monday = resume(office, officeMilestones, friday, '2026-12-07T10:00:00.000Z');
    // Acknowledge was due Friday 17:00; two business hours on (17:00-18:00, then 09:00-10:00): Monday 10:00.
    expect(monday.acknowledge.dueAt).toBe('2026-12-07T10:00:00.000Z');

    // Waiting over a weekend is no business time: a deadline at the end of a working day stays there.
    const endOfDay = { ...officeMilestones, resolve: { state: 'paused' as const, dueAt: '2026-12-08T18:00:00.000Z' } };
    expect(resume(office, endOfDay, '2026-12-05T10:00:00.000Z', '2026-12-06T10:00:00.000Z').resolve).toEqual({ state: 'active', dueAt: '2026-12-08T18:00:00.000Z' });
  });

  it('escalates afresh after a reopen, counting only the steps taken since', () => {
    const due = plus(received, 60);
    const all: EscalationStep[] = [1, 2, 3].map((level) => ({ level: level as 1 | 2 | 3, target: 'assignee', at: plus(due, level), milestone: 'acknowledge', announcedAt: plus(due, level) }));
    const reopenedAt = plus(received, 2000);
    const worked = ['acknowledge', 'firstResponse', 'resolve'].reduce((m, name) => complete(m, name as 'resolve', plus(received, 1000)), initialMilestones(allDay, received, limits));
    const reopened = reopenMilestones(allDay, worked, reopenedAt, limits);
    const resolveDue = plus(reopenedAt, 1440);
    const { milestones } = markMissed(reopened, resolveDue);
    const history = [{ action: 'reopen', at: reopenedAt }];
    // Without the reopen, level 3 reached before stops everything.
    expect(dueEscalations(allDay, milestones, all, escalation, resolveDue)).toEqual([]);
    expect(dueEscalations(allDay, milestones, all, escalation, resolveDue, reopenedAt)).toEqual([{ level: 1, target: 'assignee', at: resolveDue, milestone: 'resolve' }]);
    // And the schedule looks again when level 2 of the new miss falls due.
    expect(nextCheckAt(allDay, { milestones, escalations: all, notices: [], history }, escalation)).toBe(resolveDue);
    expect(nextCheckAt(allDay, { milestones, escalations: all, notices: [] }, escalation)).toBeUndefined();
  });

  it('escalates a missed deadline to the assignee at once, the department lead and management later, each level once', () => {
    const due = plus(received, 60);
    const { milestones } = markMissed(initialMilestones(allDay, received, limits), due);
    expect(dueEscalations(allDay, initialMilestones(allDay, received, limits), [], escalation, plus(received, 59))).toEqual([]);
    const first = dueEscalations(allDay, milestones, [], escalation, due);
    expect(first).toEqual([{ level: 1, target: 'assignee', at: due, milestone: 'acknowledge' }]);
    expect(dueEscalations(allDay, milestones, first, escalation, plus(due, 119))).toEqual([]);
    const second = dueEscalations(allDay, milestones, first, escalation, plus(due, 120));
    expect(second).toEqual([{ level: 2, target: 'department-lead', at: plus(due, 120), milestone: 'acknowledge' }]);
    // A schedule that looked late takes every level reached, once each.
    expect(dueEscalations(allDay, milestones, [], escalation, plus(due, 480)).map((s) => s.level)).toEqual([1, 2, 3]);
    const all: EscalationStep[] = [...first, ...second, { level: 3, target: 'management', at: plus(due, 480), milestone: 'acknowledge' }];
    // Levels only rise: another missed deadline starts no new level 1.
    const both = markMissed(milestones, plus(received, 240)).milestones;
    expect(dueEscalations(allDay, both, all, escalation, plus(received, 10_000))).toEqual([]);
    // Acknowledged late, then first response missed: level 1 is taken already; level 2 comes from first response.
    const next = markMissed(complete(milestones, 'acknowledge', plus(received, 100)), plus(received, 240)).milestones;
    expect(dueEscalations(allDay, next, first, escalation, plus(received, 240))).toEqual([]);
    expect(dueEscalations(allDay, next, first, escalation, plus(received, 360))).toEqual([{ level: 2, target: 'department-lead', at: plus(received, 360), milestone: 'firstResponse' }]);
  });

  it('schedules the next look at the earliest running deadline, escalation level or notice retry', () => {
    const m = initialMilestones(allDay, received, limits);
    expect(nextCheckAt(allDay, { milestones: m, escalations: [], notices: [] }, escalation)).toBe(plus(received, 60));
    const retry = { kind: 'acknowledgement' as const, state: 'pending' as const, attempts: 1, lastAttemptAt: received };
    expect(nextCheckAt(allDay, { milestones: m, escalations: [], notices: [retry] }, escalation)).toBe(plus(received, 5));
    expect(nextCheckAt(allDay, { milestones: m, escalations: [], notices: [{ ...retry, attempts: 5, state: 'failed' }] }, escalation)).toBe(plus(received, 60));
    const missed = markMissed(complete(m, 'firstResponse', plus(received, 1)), plus(received, 60)).milestones;
    const level1: EscalationStep = { level: 1, target: 'assignee', at: plus(received, 60), milestone: 'acknowledge', announcedAt: plus(received, 61) };
    // Level 2 of the missed acknowledge (60 + 120) comes before resolve's deadline (1440).
    expect(nextCheckAt(allDay, { milestones: missed, escalations: [level1], notices: [] }, escalation)).toBe(plus(received, 180));
    // Unannounced: published again ten minutes later.
    const { announcedAt: _a, ...unannounced } = level1;
    expect(nextCheckAt(allDay, { milestones: missed, escalations: [unannounced], notices: [] }, escalation)).toBe(plus(received, 70));
  });

  it('retries a new pending notice five minutes after it was created, not while its first send is under way', () => {
    const m = initialMilestones(allDay, received, limits);
    expect(pendingNotice('acknowledgement', received)).toEqual({ kind: 'acknowledgement', state: 'pending', attempts: 0, lastAttemptAt: received });
    expect(nextCheckAt(allDay, { milestones: m, escalations: [], notices: [pendingNotice('acknowledgement', received)] }, escalation)).toBe(plus(received, 5));
  });

  it('while waiting on the customer, looks again only for notices and re-publishes, never for the paused deadlines', () => {
    const missed = markMissed(initialMilestones(allDay, received, limits), plus(received, 60)).milestones;
    const paused = pause(missed);
    const level1: EscalationStep = { level: 1, target: 'assignee', at: plus(received, 60), milestone: 'acknowledge', announcedAt: plus(received, 61) };
    const waiting = { milestones: paused, escalations: [level1], status: 'waiting-on-customer' as const };
    expect(nextCheckAt(allDay, { ...waiting, notices: [] }, escalation)).toBeUndefined();
    const retry = { kind: 'resolution' as const, state: 'pending' as const, attempts: 1, lastAttemptAt: plus(received, 100) };
    expect(nextCheckAt(allDay, { ...waiting, notices: [retry] }, escalation)).toBe(plus(received, 105));
    const { announcedAt: _a, ...unannounced } = level1;
    expect(nextCheckAt(allDay, { ...waiting, escalations: [unannounced], notices: [] }, escalation)).toBe(plus(received, 70));
    // In progress, the missed acknowledge's level 2 is due at 60 + 120.
    expect(nextCheckAt(allDay, { ...waiting, status: 'in-progress', notices: [] }, escalation)).toBe(plus(received, 180));
  });
});
