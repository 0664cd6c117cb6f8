import { incidentActions, type IncidentAction, type IncidentStatus } from './types.js';

/**
 * Which action moves an incident from which status to which (BR-4). `remediate` straight from
 * `contained` skips notifying: only for an incident no individuals' obligation applies to.
 */
const transitions: Record<IncidentAction, { from: readonly IncidentStatus[]; to: IncidentStatus }> = {
  assess: { from: ['open'], to: 'assessed' },
  contain: { from: ['assessed'], to: 'contained' },
  notify: { from: ['contained'], to: 'notifying' },
  remediate: { from: ['contained', 'notifying'], to: 'remediated' },
  close: { from: ['remediated'], to: 'closed' },
};

/** What decides the actions beyond the status: whether the people affected must be told. */
export interface TransitionFacts {
  /** Some deadline with audience `individuals` applies. */
  individualsOwed: boolean;
}

export type IncidentTransitionCheck = { ok: true; to: IncidentStatus } | { ok: false };

export function checkIncidentTransition(status: IncidentStatus, action: IncidentAction, facts: TransitionFacts): IncidentTransitionCheck {
  const rule = transitions[action];
  if (!rule.from.includes(status)) return { ok: false };
  // The people affected are told before the incident is remediated, when the law says so.
  if (action === 'remediate' && status === 'contained' && facts.individualsOwed) return { ok: false };
  return { ok: true, to: rule.to };
}

/** The actions valid now (a 409 lists them). */
export function allowedIncidentActions(status: IncidentStatus, facts: TransitionFacts): IncidentAction[] {
  return incidentActions.filter((action) => checkIncidentTransition(status, action, facts).ok);
}

/** Not closed: the deadline monitor watches it, steps may be added. */
export const isUnclosed = (status: IncidentStatus) => status !== 'closed';
