import type { Principal } from '../../platform/access/index.js';
import type { RiskStatus } from './types.js';

export const riskFlagActions = ['assign', 'close'] as const;
export type RiskFlagAction = (typeof riskFlagActions)[number];

/** Which action moves a flag from which status to which: assigned (again) until closed, closed once. */
const transitions: Record<RiskFlagAction, { from: readonly RiskStatus[]; to: RiskStatus }> = {
  assign: { from: ['open', 'assigned'], to: 'assigned' },
  close: { from: ['open', 'assigned'], to: 'closed' },
};

/** Staff who follow customers up. */
const staff: readonly string[] = ['admin', 'dpo', 'agent'];

export type RiskFlagTransitionCheck = { ok: true; to: RiskStatus } | { ok: false; reason: 'role' | 'status' };

export function checkRiskFlagTransition(status: RiskStatus, action: RiskFlagAction, role: Principal['role']): RiskFlagTransitionCheck {
  if (!staff.includes(role)) return { ok: false, reason: 'role' };
  const rule = transitions[action];
  if (!rule.from.includes(status)) return { ok: false, reason: 'status' };
  return { ok: true, to: rule.to };
}

/** The actions valid now (a 409 lists them). */
export function allowedRiskFlagActions(status: RiskStatus, role: Principal['role']): RiskFlagAction[] {
  if (!staff.includes(role)) return [];
  return riskFlagActions.filter((action) => transitions[action].from.includes(status));
}

/** Unhandled: nobody has closed it yet (open or assigned). */
export const isUnhandled = (status: RiskStatus) => status !== 'closed';
