import { describe, expect, it } from 'vitest';
import {
  allowedActions,
  applyAction,
  checkComplaintTransition,
  ComplaintActionConflictError,
  complaintActions,
  complaintStatuses,
  complaintTransitionSchema,
  createComplaintSchema,
  defaultComplaintPolicies,
  selfComplaintSchema,
  initialMilestones,
  limitsFor,
  type Complaint,
  type ComplaintAction,
  type ComplaintPolicies,
  type ComplaintStatus,
  formatReference,
  referenceYear,
  REFERENCE_PATTERN,
} from '../../shared/contexts/complaints/index.js';
import type { BusinessCalendar } from '../../shared/platform/calendar/index.js';
import { ForbiddenError, ValidationError } from '../../shared/platform/errors/index.js';

/** The workflow of CMP-2, written out: each status and the actions that apply in it, with where they lead. */
const workflow: Record<ComplaintStatus, Partial<Record<ComplaintAction, ComplaintStatus>>> = {
  received: { acknowledge: 'acknowledged' },
  acknowledged: { assign: 'assigned' },
  assigned: { assign: 'assigned', start: 'in-progress' },
  'in-progress': { assign: 'assigned', wait: 'waiting-on-customer', resolve: 'resolved' },
  'waiting-on-customer': { resume: 'in-progress', resolve: 'resolved' },
  resolved: { 'follow-up': 'followed-up', reopen: 'in-progress' },
  'followed-up': { close: 'closed', reopen: 'in-progress' },
  closed: { reopen: 'in-progress' },
};

const allDay: BusinessCalendar = { timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], hours: [{ start: '00:00', end: '24:00' }], holidays: [], workingDates: [] };
const policies: ComplaintPolicies = { ...defaultComplaintPolicies, calendar: allDay, reopenWindowDays: 30 };
const agent = { id: 'agent-1', role: 'agent' as const };
const dpo = { id: 'dpo-1', role: 'dpo' as const };
const received = '2026-12-01T08:00:00.000Z';
const MIN = 60_000;
const at = (minutes: number) => new Date(Date.parse(received) + minutes * MIN);

function complaint(status: ComplaintStatus, extra: Partial<Complaint> = {}): Complaint {
  return {
    id: '7d0c4c8e-8a43-4a55-9a39-0e0b8f1f9d11',
    reference: 'TS-2026-000001',
    customerId: 'c7f0b9a4-0f0e-4c57-9d6c-2d7f7a0d3a01',
    channel: 'phone',
    category: 'billing',
    severity: 'medium',
    language: 'zh-CN',
    privacy: false,
    subject: 's',
    description: 'd',
    receivedBy: 'agent-1',
    receivedAt: received,
    status,
    milestones: initialMilestones(allDay, received, limitsFor(policies, 'medium', 'billing')),
    reopenCount: 0,
    escalations: [],
    notices: [],
    history: [],
    version: 1,
    ...extra,
  };
}

const inputFor = (action: ComplaintAction) =>
  complaintTransitionSchema.parse({
    action,
    ...(action === 'assign' ? { assignee: 'agent-2' } : {}),
    ...(action === 'resolve' ? { resolution: 'refunded', rootCause: 'billing-error' } : {}),
    ...(action === 'follow-up' ? { outcome: 'satisfied', rating: 5 } : {}),
    ...(action === 'reopen' ? { reason: 'not fixed' } : {}),
  });

describe('the complaint state machine', () => {
  it('answers every status and action as the workflow says, listing the allowed actions for each refusal', () => {
    for (const status of complaintStatuses) {
      const expected = Object.keys(workflow[status]);
      expect(allowedActions(status, 'agent', false)).toEqual(expected);
      for (const action of complaintActions) {
        const to = workflow[status][action];
        expect(checkComplaintTransition(status, action, 'agent', false), `${status} ${action}`).toEqual(to ? { ok: true, to } : { ok: false, reason: 'status' });
        const resolvedAt = status === 'resolved' || status === 'followed-up' || status === 'closed' ? { resolution: { summary: 'x', rootCause: 'y', at: at(60).toISOString() } } : {};
        const current = complaint(status, resolvedAt);
        if (to) {
          expect(applyAction(current, inputFor(action), agent, policies, at(120)).status).toBe(to);
        } else {
          let error: unknown;
          try {
            applyAction(current, inputFor(action), agent, policies, at(120));
          } catch (e) {
            error = e;
          }
          expect(error, `${status} ${action}`).toBeInstanceOf(ComplaintActionConflictError);
          expect((error as ComplaintActionConflictError).field).toBe('action');
          expect((error as ComplaintActionConflictError).extensions).toEqual({ allowedActions: expected });
        }
      }
    }
  });

  it('keeps a privacy complaint to the DPO and admins once acknowledged', () => {
    expect(checkComplaintTransition('received', 'acknowledge', 'agent', true)).toEqual({ ok: true, to: 'acknowledged' });
    expect(checkComplaintTransition('acknowledged', 'assign', 'agent', true)).toEqual({ ok: false, reason: 'role' });
    expect(checkComplaintTransition('acknowledged', 'assign', 'dpo', true)).toEqual({ ok: true, to: 'assigned' });
    expect(checkComplaintTransition('acknowledged', 'assign', 'admin', true)).toEqual({ ok: true, to: 'assigned' });
    expect(allowedActions('acknowledged', 'agent', true)).toEqual([]);
    expect(allowedActions('acknowledged', 'dpo', true)).toEqual(['assign']);
    const privacy = complaint('acknowledged', { privacy: true, category: 'privacy', department: 'data-protection' });
    expect(() => applyAction(privacy, inputFor('assign'), agent, policies, at(10))).toThrow(ForbiddenError);
    expect(applyAction(privacy, inputFor('assign'), dpo, policies, at(10)).department).toBe('data-protection');
    expect(applyAction(privacy, { ...inputFor('assign'), department: 'data-protection' }, dpo, policies, at(10)).department).toBe('data-protection');
    // Another department is refused by name, not silently replaced.
    expect(() => applyAction(privacy, { ...inputFor('assign'), department: 'finance' }, dpo, policies, at(10))).toThrow(
      expect.objectContaining({ kind: 'validation', field: 'department' }),
    );
  });

  it('assigns to a department of the policies only, and resolves with a root cause of the policies only', () => {
    const acknowledged = complaint('acknowledged');
    expect(applyAction(acknowledged, { ...inputFor('assign'), department: 'finance' }, agent, policies, at(10)).department).toBe('finance');
    const refuse = (c: Complaint, input: ReturnType<typeof inputFor>, field: string) => {
      let error: unknown;
      try {
        applyAction(c, input, agent, policies, at(10));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
    };
    refuse(acknowledged, { ...inputFor('assign'), department: 'weather-desk' }, 'department');
    refuse(complaint('in-progress'), { ...inputFor('resolve'), rootCause: 'bad-luck' }, 'rootCause');
    const resolved = applyAction(complaint('in-progress'), { ...inputFor('resolve'), rootCause: 'delivery-delay' }, agent, policies, at(10));
    expect(resolved.resolution).toEqual({ summary: 'refunded', rootCause: 'delivery-delay', at: at(10).toISOString() });
  });

  it('lets no customer, system or other staff role act', () => {
    for (const role of ['customer', 'system', 'analyst', 'marketer', 'auditor'] as const) {
      expect(checkComplaintTransition('received', 'acknowledge', role, false)).toEqual({ ok: false, reason: 'role' });
    }
  });

  it('records who moved it, from where to where, and why', () => {
    const next = applyAction(complaint('in-progress'), { action: 'wait', reason: 'asked for the invoice' }, agent, policies, at(30));
    expect(next.history.at(-1)).toEqual({ action: 'wait', at: at(30).toISOString(), actor: 'agent-1', role: 'agent', from: 'in-progress', to: 'waiting-on-customer', reason: 'asked for the invoice' });
    expect(next.version).toBe(2);
    expect(next.pausedSince).toBe(at(30).toISOString());
  });

  it('reopens within the window only, counting it and running resolve again from now', () => {
    const resolved = applyAction(complaint('in-progress'), inputFor('resolve'), agent, policies, at(60));
    expect(resolved.milestones.followUp.state).toBe('active');
    const day = 24 * 60;
    const reopened = applyAction(resolved, inputFor('reopen'), agent, policies, at(60 + 29 * day));
    expect(reopened.status).toBe('in-progress');
    expect(reopened.reopenCount).toBe(1);
    expect(reopened.milestones.resolve).toEqual({ state: 'active', dueAt: new Date(at(60 + 29 * day).getTime() + 2400 * MIN).toISOString() });
    expect(reopened.milestones.followUp).toEqual({ state: 'pending' });
    let error: unknown;
    try {
      applyAction(resolved, inputFor('reopen'), agent, policies, at(60 + 31 * day));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ComplaintActionConflictError);
    expect((error as ComplaintActionConflictError).extensions).toEqual({ allowedActions: ['follow-up'] });
  });
});

describe('complaint inputs', () => {
  const issues = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => result.error?.issues.map((i) => i.path.join('.'));

  it('requires what each action needs, naming the field', () => {
    expect(issues(complaintTransitionSchema.safeParse({ action: 'resolve', resolution: 'refunded' }))).toEqual(['rootCause']);
    expect(issues(complaintTransitionSchema.safeParse({ action: 'resolve', rootCause: 'billing-error' }))).toEqual(['resolution']);
    expect(issues(complaintTransitionSchema.safeParse({ action: 'assign' }))).toEqual(['assignee']);
    expect(issues(complaintTransitionSchema.safeParse({ action: 'follow-up', outcome: 'satisfied' }))).toEqual(['rating']);
    expect(complaintTransitionSchema.safeParse({ action: 'follow-up', outcome: 'unreachable' }).success).toBe(true);
    expect(issues(complaintTransitionSchema.safeParse({ action: 'reopen' }))).toEqual(['reason']);
    expect(issues(complaintTransitionSchema.safeParse({ action: 'follow-up', outcome: 'satisfied', rating: 6 }))).toEqual(['rating']);
    // Nobody reached gave no rating.
    expect(issues(complaintTransitionSchema.safeParse({ action: 'follow-up', outcome: 'unreachable', rating: 3 }))).toEqual(['rating']);
    // A root cause is a code, not a sentence.
    expect(issues(complaintTransitionSchema.safeParse({ action: 'resolve', resolution: 'refunded', rootCause: 'The card was charged twice' }))).toEqual(['rootCause']);
  });

  it('lets a customer choose low, medium or high, not critical', () => {
    const own = { category: 'billing', subject: 'a', description: 'b' };
    for (const severity of ['low', 'medium', 'high']) expect(selfComplaintSchema.safeParse({ ...own, severity }).success).toBe(true);
    expect(selfComplaintSchema.safeParse(own).success).toBe(true);
    expect(issues(selfComplaintSchema.safeParse({ ...own, severity: 'critical' }))).toEqual(['severity']);
  });

  it('limits the texts and refuses unknown fields', () => {
    const base = { customerId: 'c7f0b9a4-0f0e-4c57-9d6c-2d7f7a0d3a01', channel: 'email', category: 'billing', severity: 'low', subject: 'a', description: 'b' };
    expect(createComplaintSchema.safeParse(base).success).toBe(true);
    expect(issues(createComplaintSchema.safeParse({ ...base, subject: 'x'.repeat(201) }))).toEqual(['subject']);
    expect(issues(createComplaintSchema.safeParse({ ...base, description: 'x'.repeat(4001) }))).toEqual(['description']);
    expect(issues(createComplaintSchema.safeParse({ ...base, desiredOutcome: 'x'.repeat(2001) }))).toEqual(['desiredOutcome']);
    expect(issues(createComplaintSchema.safeParse({ ...base, channel: 'fax' }))).toEqual(['channel']);
    expect(createComplaintSchema.safeParse({ ...base, priority: 'high' }).success).toBe(false);
  });
});

describe('complaint references', () => {
  it('numbers by the year where the team works, six digits at least', () => {
    expect(referenceYear(new Date('2026-12-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2027');
    expect(referenceYear(new Date('2026-12-31T15:59:00Z'), 'Asia/Shanghai')).toBe('2026');
    expect(formatReference('2026', 123)).toBe('TS-2026-000123');
    expect(formatReference('2026', 1_234_567)).toBe('TS-2026-1234567');
    expect(REFERENCE_PATTERN.test(formatReference('2026', 1))).toBe(true);
  });
});
