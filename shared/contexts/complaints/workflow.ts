import type { Principal } from '../../platform/access/index.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../platform/errors/index.js';
import { complete, limitsFor, pause, reopenMilestones, resume, startFollowUp } from './milestones.js';
import type { ComplaintTransitionInput } from './schemas.js';
import { allowedActions, checkComplaintTransition } from './state-machine.js';
import type { Complaint, ComplaintHistoryEntry, ComplaintPolicies } from './types.js';

const DAY_MS = 86_400_000;

/** Privacy complaints are the data-protection officer's (CMP-2). */
export const PRIVACY_DEPARTMENT = 'data-protection';

/** The 409 of an action that does not apply now, listing those that do for this role. */
export class ComplaintActionConflictError extends ConflictError {
  constructor(message: string, allowed: readonly string[]) {
    super(message, 'action', { allowedActions: [...allowed] });
  }
}

const invalid = (field: string, message: string, detail: string) => new ValidationError(message, [{ field, message: detail }]);

/**
 * The codes an action names must be the policies': a department to assign to (a privacy
 * complaint's is data protection, nothing else), a root cause to resolve with.
 */
function checkCodes(current: Complaint, input: ComplaintTransitionInput, policies: ComplaintPolicies): void {
  if (input.action === 'assign' && input.department !== undefined) {
    if (current.privacy && input.department !== PRIVACY_DEPARTMENT) {
      throw invalid('department', `A privacy complaint stays with the ${PRIVACY_DEPARTMENT} department.`, `must be ${PRIVACY_DEPARTMENT} (or left out) for a privacy complaint`);
    }
    if (!policies.departments.some((d) => d.code === input.department)) {
      throw invalid('department', 'The department is not one of the complaint policies.', 'must be one of the configured departments');
    }
  }
  if (input.action === 'resolve' && input.rootCause !== undefined && !policies.rootCauses.some((c) => c.code === input.rootCause)) {
    throw invalid('rootCause', 'The root cause is not one of the complaint policies.', 'must be one of the configured root causes');
  }
}

/**
 * The complaint after `input.action` taken by `actor` at `at`, or the 403/409/400 saying why it
 * cannot be taken: the state machine, the reopen window, the codes it names; the milestones
 * (met, missed, paused, moved on), the history entry. Pure: the service stores what this answers.
 */
export function applyAction(
  current: Complaint,
  input: ComplaintTransitionInput,
  actor: Principal,
  policies: ComplaintPolicies,
  at: Date,
): Complaint {
  const now = at.toISOString();
  const check = checkComplaintTransition(current.status, input.action, actor.role, current.privacy);
  if (!check.ok) {
    if (check.reason === 'role') {
      throw new ForbiddenError(
        current.privacy ? `Only the data-protection officer or an admin may ${input.action} a privacy complaint once acknowledged.` : `Staff act on complaints; your role may not ${input.action} one.`,
        'action',
      );
    }
    const allowed = allowedActions(current.status, actor.role, current.privacy);
    throw new ComplaintActionConflictError(`A ${current.status} complaint cannot take the action ${input.action}.`, allowed);
  }
  if (input.action === 'reopen') {
    const since = current.resolution?.at;
    if (!since || at.getTime() > new Date(since).getTime() + policies.reopenWindowDays * DAY_MS) {
      const allowed = allowedActions(current.status, actor.role, current.privacy).filter((a) => a !== 'reopen');
      throw new ComplaintActionConflictError(`A complaint may be reopened within ${policies.reopenWindowDays} days of its resolution; this one's window has passed.`, allowed);
    }
  }
  checkCodes(current, input, policies);
  const { calendar } = policies;
  const limits = limitsFor(policies, current.severity, current.category);
  let milestones = current.milestones;
  let next: Complaint = { ...current };
  switch (input.action) {
    case 'acknowledge':
      milestones = complete(milestones, 'acknowledge', now);
      break;
    case 'assign':
      next = { ...next, assignee: input.assignee!, department: current.privacy ? PRIVACY_DEPARTMENT : (input.department ?? current.department) };
      if (next.department === undefined) delete next.department;
      break;
    case 'start':
      milestones = complete(milestones, 'firstResponse', now);
      break;
    case 'wait':
      milestones = pause(milestones);
      next.pausedSince = now;
      break;
    case 'resume':
      milestones = resume(calendar, milestones, current.pausedSince ?? now, now);
      delete next.pausedSince;
      break;
    case 'resolve':
      // Resolved while waiting: the clocks run again (moved on by the wait) before they are judged.
      if (current.status === 'waiting-on-customer') milestones = resume(calendar, milestones, current.pausedSince ?? now, now);
      delete next.pausedSince;
      milestones = startFollowUp(calendar, complete(milestones, 'resolve', now), now, limits);
      next.resolution = { summary: input.resolution!, rootCause: input.rootCause!, at: now };
      break;
    case 'follow-up':
      milestones = complete(milestones, 'followUp', now);
      next.followUp = { outcome: input.outcome!, ...(input.rating !== undefined ? { rating: input.rating } : {}), ...(input.note ? { note: input.note } : {}), at: now };
      break;
    case 'close':
      break;
    case 'reopen':
      milestones = reopenMilestones(calendar, milestones, now, limits);
      next.reopenCount = current.reopenCount + 1;
      delete next.followUp;
      break;
  }
  const entry: ComplaintHistoryEntry = {
    action: input.action,
    at: now,
    actor: actor.id,
    role: actor.role,
    from: current.status,
    to: check.to,
    ...(input.reason ? { reason: input.reason } : {}),
  };
  return { ...next, status: check.to, milestones, history: [...current.history, entry], version: current.version + 1 };
}
