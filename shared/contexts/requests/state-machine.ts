import type { Role } from '../../platform/access/index.js';
import type { RequestAction, RequestStatus, RequestType } from './types.js';

/** Which action moves a request from which status to which, and who may take it. */
const transitions: Record<RequestAction, { from: RequestStatus[]; to: RequestStatus; roles: Role[] }> = {
  'verify-identity': { from: ['received'], to: 'identity-verified', roles: ['admin', 'dpo', 'agent'] },
  approve: { from: ['identity-verified'], to: 'in-progress', roles: ['dpo'] },
  reject: { from: ['received', 'identity-verified', 'in-progress'], to: 'rejected', roles: ['dpo'] },
  complete: { from: ['in-progress'], to: 'completed', roles: ['dpo', 'admin'] },
};

/**
 * `erasure`: an approved erasure is closed by the erasure alone, when its certificate exists.
 * Completed or rejected by hand, it would leave the customer hidden, half deleted, and
 * never finished, since the worker stops for a closed request.
 */
export type TransitionCheck = { ok: true; to: RequestStatus } | { ok: false; reason: 'role' | 'status' | 'erasure' };

export function checkTransition(status: RequestStatus, action: RequestAction, role: Role, type?: RequestType): TransitionCheck {
  const rule = transitions[action];
  if (!rule.roles.includes(role)) return { ok: false, reason: 'role' };
  if (!rule.from.includes(status)) return { ok: false, reason: 'status' };
  if (type === 'erase' && (action === 'complete' || (action === 'reject' && status === 'in-progress'))) return { ok: false, reason: 'erasure' };
  return { ok: true, to: rule.to };
}

export const isOpen = (status: RequestStatus) => status !== 'completed' && status !== 'rejected';
