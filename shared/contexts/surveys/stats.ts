import type { Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { counter, surveyStatsKey, surveyStatsShardOf, withDimensions } from './keys.js';
import type { Answers, Invitation, Question } from './types.js';

/**
 * What one submitted answer set adds to its wave's aggregates (keys.ts `counter`): the
 * response, each closed question's value and answered count, for the wave and for each
 * dimension value of the invitation's snapshot; a text answer only as a count of the wave
 * (its words are never here, and a count per segment could single someone out). Counts
 * and codes only: they outlive the customer's erasure.
 */
export function answerCounters(invitation: Pick<Invitation, 'snapshot'>, questions: readonly Question[], answers: Answers): Record<string, number> {
  const counters: Record<string, number> = {};
  const add = (names: string[]) => {
    for (const name of names) counters[name] = (counters[name] ?? 0) + 1;
  };
  add(withDimensions(counter.responses, invitation.snapshot));
  for (const question of questions) {
    const value = answers[question.id];
    if (value === undefined) continue;
    if (question.kind === 'text') {
      add([counter.text(question.id)]);
      continue;
    }
    add(withDimensions(counter.answered(question.id), invitation.snapshot));
    for (const one of Array.isArray(value) ? value : [value]) add(withDimensions(counter.value(question.id, one), invitation.snapshot));
  }
  return counters;
}

/** The add of a submission's counters on the wave's shard of the invitation, in the submission's transaction. */
export function answerCounterWrite(invitation: Pick<Invitation, 'id' | 'surveyId' | 'wave' | 'snapshot'>, questions: readonly Question[], answers: Answers): Write {
  return {
    op: 'add',
    table: dataTable.name,
    key: surveyStatsKey(invitation.surveyId, invitation.wave, surveyStatsShardOf(invitation.id)),
    counters: answerCounters(invitation, questions, answers),
    label: 'survey-stats',
  };
}
