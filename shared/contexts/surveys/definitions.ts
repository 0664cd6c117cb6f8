/** Survey definitions as values (SAT-1): defaults filled in, versions joined to their head; no storage here. */
import type { AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { Clock, Store } from '../../platform/ports/index.js';
import { DEFAULT_TEXT_ANSWER_MAX, surveyDefaults, type QuestionInput, type UpdateSurveyInput } from './schemas.js';
import type { SurveyDefinition, SurveyHead, SurveyHeadItem, SurveyRepository } from './survey-repository.js';
import type { Question, Survey } from './types.js';

export interface SurveyServiceDeps {
  repository: SurveyRepository;
  store: Store;
  keys: DataKeyRing;
  clock: Clock;
  audit: AuditTrail;
  /** How long an Idempotency-Key of a create is remembered. */
  idempotencyTtlSeconds?: number;
}

/** A survey as staff read it: the version shown and, when one exists beside it, the draft's number. */
export type SurveyView = Survey & { draftVersion?: number };

/** A question as defined: required unless said otherwise, a text answer's limit filled in. */
export const question = (q: QuestionInput): Question => ({
  id: q.id,
  kind: q.kind,
  topic: q.topic,
  text: q.text,
  required: q.required ?? true,
  ...(q.options ? { options: q.options } : {}),
  ...(q.kind === 'text' ? { maxLength: q.maxLength ?? DEFAULT_TEXT_ANSWER_MAX } : {}),
});

/** The definition's fields from an input, each left out taking its default (or `base`'s value, for an update). */
export function fieldsOf(input: UpdateSurveyInput, base?: SurveyDefinition): Omit<SurveyDefinition, 'id' | 'version' | 'status' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy' | 'publishedAt'> {
  const intro = input.intro ?? base?.intro;
  const recurrence = input.recurrence ?? base?.recurrence;
  const trigger = input.trigger ?? base?.trigger;
  const risk = input.risk
    ? { npsAtMost: input.risk.npsAtMost ?? surveyDefaults.risk.npsAtMost, csatAtMost: input.risk.csatAtMost ?? surveyDefaults.risk.csatAtMost, ...(input.risk.assignee ? { assignee: input.risk.assignee } : {}) }
    : (base?.risk ?? { ...surveyDefaults.risk });
  return {
    title: input.title ?? base!.title,
    ...(intro ? { intro } : {}),
    questions: input.questions ? input.questions.map(question) : base!.questions,
    ...(recurrence ? { recurrence: { every: recurrence.every, segment: recurrence.segment, ...(recurrence.sampleSize !== undefined ? { sampleSize: recurrence.sampleSize } : {}) } } : {}),
    ...(trigger ? { trigger } : {}),
    contactFrequencyDays: input.contactFrequencyDays ?? base?.contactFrequencyDays ?? surveyDefaults.contactFrequencyDays,
    linkValidDays: input.linkValidDays ?? base?.linkValidDays ?? surveyDefaults.linkValidDays,
    minGroupSize: input.minGroupSize ?? base?.minGroupSize ?? surveyDefaults.minGroupSize,
    risk,
  };
}

/** A version with its survey's head fields; every version of an archived survey reads archived. */
export function withHead(definition: SurveyDefinition, head: Pick<SurveyHead, 'status' | 'view'>): Survey {
  return {
    ...definition,
    status: head.status === 'archived' ? 'archived' : definition.status,
    waves: head.view.waves,
    etag: head.view.etag,
    ...(head.view.publishedVersion !== undefined ? { publishedVersion: head.view.publishedVersion } : {}),
  };
}

export const viewOf = (head: SurveyHead): SurveyView => ({ ...head.view, ...(head.draftVersion !== undefined && head.draftVersion !== head.view.version ? { draftVersion: head.draftVersion } : {}) });
export const definitionOf = (survey: Survey): SurveyDefinition => {
  const { waves: _w, etag: _e, publishedVersion: _p, ...definition } = survey as SurveyView;
  delete (definition as { draftVersion?: number }).draftVersion;
  return definition;
};

/** A head's own fields, without its keys and index attributes (derived again on write). */
export function strip(head: SurveyHead): SurveyHead {
  const { pk: _pk, sk: _sk, kind: _kind, gsi1pk: _g1, gsi1sk: _g2, ...rest } = head as SurveyHeadItem;
  return rest;
}
