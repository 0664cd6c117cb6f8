import type { Principal } from '../../platform/access/index.js';
import { complaintActions, type ComplaintAction, type ComplaintStatus } from './types.js';

/** Which action moves a complaint from which status to which (CMP-2). */
const transitions: Record<ComplaintAction, { from: readonly ComplaintStatus[]; to: ComplaintStatus }> = {
  acknowledge: { from: ['received'], to: 'acknowledged' },
  assign: { from: ['acknowledged', 'assigned', 'in-progress'], to: 'assigned' },
  start: { from: ['assigned'], to: 'in-progress' },
  wait: { from: ['in-progress'], to: 'waiting-on-customer' },
  resume: { from: ['waiting-on-customer'], to: 'in-progress' },
  resolve: { from: ['in-progress', 'waiting-on-customer'], to: 'resolved' },
  'follow-up': { from: ['resolved'], to: 'followed-up' },
  close: { from: ['followed-up'], to: 'closed' },
  reopen: { from: ['resolved', 'followed-up', 'closed'], to: 'in-progress' },
};

/** Staff who act on complaints; a privacy complaint, once acknowledged, only the DPO or an admin. */
const staff: readonly string[] = ['admin', 'dpo', 'agent'];
const privacyStaff: readonly string[] = ['admin', 'dpo'];

export type ComplaintTransitionCheck = { ok: true; to: ComplaintStatus } | { ok: false; reason: 'role' | 'status' };

/** Whether this role may act on this complaint at all in its status (privacy: the DPO's after acknowledge). */
export function mayAct(status: ComplaintStatus, role: Principal['role'], privacy: boolean): boolean {
  if (!staff.includes(role)) return false;
  return !privacy || status === 'received' || privacyStaff.includes(role);
}

export function checkComplaintTransition(status: ComplaintStatus, action: ComplaintAction, role: Principal['role'], privacy: boolean): ComplaintTransitionCheck {
  if (!mayAct(status, role, privacy)) return { ok: false, reason: 'role' };
  const rule = transitions[action];
  if (!rule.from.includes(status)) return { ok: false, reason: 'status' };
  return { ok: true, to: rule.to };
}

/** The actions valid now for this role, in workflow order (a 409 lists them). */
export function allowedActions(status: ComplaintStatus, role: Principal['role'], privacy: boolean): ComplaintAction[] {
  if (!mayAct(status, role, privacy)) return [];
  return complaintActions.filter((action) => transitions[action].from.includes(status));
}

/** Open: a deadline may still run. A closed complaint is done until reopened. */
export const isOpenComplaint = (status: ComplaintStatus) => status !== 'closed';
