import { ConflictError, ValidationError } from '../../platform/errors/index.js';
import { deadlinesOf, intelligibleOf, type DeadlineFacts } from './obligations.js';
import { noteKeys } from './presenter.js';
import { incidentTimeIssues, type IncidentTransitionInput } from './schemas.js';
import { allowedIncidentActions, checkIncidentTransition } from './state-machine.js';
import type { IncidentRecord, ScopeRun } from './types.js';

/** The 409 of an action that does not apply now, listing those that do. */
export class IncidentActionConflictError extends ConflictError {
  constructor(message: string, allowed: readonly string[]) {
    super(message, 'action', { allowedActions: [...allowed] });
  }
}

/** What a transition is decided on besides the record. */
export interface TransitionContext {
  at: Date;
  by: string;
  facts: DeadlineFacts;
  runs: ScopeRun[];
}

/** Whether some individuals' obligation applies to the incident as it stands. */
export const individualsOwed = (record: IncidentRecord, facts: DeadlineFacts) =>
  deadlinesOf(record, facts).some((deadline) => deadline.audience === 'individuals' && deadline.applies);

/**
 * The record after `input` (BR-4), or the problem that stops it: 409 naming `action` (with
 * `allowedActions`), `scope`, `steps` or `deadlines`; 400 naming the field for bad times.
 * Appends the history entry, its reason sealed in the text's notes.
 */
export function applyTransition(record: IncidentRecord, input: IncidentTransitionInput, ctx: TransitionContext): IncidentRecord {
  const facts = { individualsOwed: individualsOwed(record, ctx.facts) };
  const check = checkIncidentTransition(record.status, input.action, facts);
  if (!check.ok) {
    const allowed = allowedIncidentActions(record.status, facts);
    const why = input.action === 'remediate' && record.status === 'contained' ? ': the people affected must be notified first' : '';
    throw new IncidentActionConflictError(`An incident ${record.status} cannot take the action ${input.action}${why}.`, allowed);
  }
  const at = ctx.at.toISOString();
  const text = { ...record.text, notes: { ...record.text.notes } };
  let next: IncidentRecord = { ...record, text };
  switch (input.action) {
    case 'assess': {
      const awareAt = input.awareAt ?? record.awareAt;
      const issues = incidentTimeIssues({ occurredAt: record.occurredAt, discoveredAt: record.discoveredAt, awareAt }, ctx.at);
      if (issues.length) throw new ValidationError(`Invalid body: ${issues.map((i) => i.field).join(', ')}.`, issues);
      next = {
        ...next,
        draft: false,
        awareAt,
        assessment: { highRisk: input.highRisk, exposure: input.exposure, intelligible: intelligibleOf(input.exposure), assessedAt: at, assessedBy: ctx.by },
        ...(input.severity ? { severity: input.severity } : {}),
        ...(input.dataCategories ? { dataCategories: input.dataCategories } : {}),
        ...(input.gradeOverride ? { gradeOverride: input.gradeOverride } : {}),
      };
      Object.assign(text, { consequences: input.consequences, cause: input.cause, advice: input.advice });
      if (input.gradeOverride && input.reason) text.notes[noteKeys.grade] = input.reason;
      break;
    }
    case 'contain':
      text.measures = input.measures;
      break;
    case 'notify': {
      const running = ctx.runs.filter((run) => run.state !== 'done');
      if (running.length) throw new ConflictError(`${running.length} scope run(s) still running: notify once the affected set is complete.`, 'scope');
      break;
    }
    case 'remediate':
      next.handlingEndedAt = at;
      break;
    case 'close': {
      const open = record.steps.filter((step) => step.status !== 'done');
      if (open.length) throw new ConflictError(`${open.length} remediation step(s) not done.`, 'steps', { steps: open.map((s) => s.id) });
      const explanations = input.explanations ?? {};
      const known = new Set(ctx.facts.obligations.map((o) => o.id));
      const unknown = Object.keys(explanations).filter((id) => !known.has(id));
      if (unknown.length) throw new ValidationError('Invalid body: explanations.', unknown.map((id) => ({ field: `explanations.${id}`, message: 'is not an obligation of this incident' })));
      next.explanations = { ...record.explanations };
      for (const [obligation, why] of Object.entries(explanations)) {
        next.explanations[obligation] = { at, by: ctx.by };
        text.notes[noteKeys.explain(obligation)] = why;
      }
      const unmet = deadlinesOf(next, ctx.facts).filter((d) => d.applies && d.state !== 'met' && d.state !== 'explained').map((d) => d.obligation);
      if (unmet.length) throw new ConflictError(`Deadlines neither met nor explained: ${unmet.join(', ')}. Explain each under explanations.`, 'deadlines', { obligations: unmet });
      text.lessons = input.lessons;
      next.closedAt = at;
      break;
    }
  }
  if (input.reason !== undefined) text.notes[noteKeys.history(record.history.length)] = input.reason;
  return {
    ...next,
    status: check.to,
    history: [...record.history, { action: input.action, from: record.status, to: check.to, at, by: ctx.by }],
    updatedAt: at,
    version: record.version + 1,
  };
}
