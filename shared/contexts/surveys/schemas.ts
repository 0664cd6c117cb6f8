import * as z from 'zod/mini';
import { customerTypes, lifecycleStages } from '../customers/index.js';
import { WAVE_PATTERN } from './keys.js';
import { questionKinds, questionTopics, resultDimensions, surveyStatuses } from './types.js';

/** Limits of a survey's texts and size (SAT-1). */
export const SURVEY_TEXT_MAX = 500;
export const SURVEY_INTRO_MAX = 2000;
export const MAX_QUESTIONS = 30;
export const MAX_OPTIONS = 20;
export const TEXT_ANSWER_MAX = 4000;
export const DEFAULT_TEXT_ANSWER_MAX = 2000;
export const MAX_SAMPLE_SIZE = 1_000_000;
export const SURVEY_TOKEN_MAX = 200;
/** Defaults of the fields a survey may leave out. */
export const surveyDefaults = { contactFrequencyDays: 90, linkValidDays: 30, minGroupSize: 5, risk: { npsAtMost: 6, csatAtMost: 2 } } as const;

const localized = (max: number) => {
  const one = z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
  return z.strictObject({ 'zh-CN': one, en: one });
};
/** Question and option ids name counters and keys: codes only. */
const code = z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'must be a code: 1 to 32 lowercase letters, digits or dashes'));
const staffId = z.string().check(z.regex(/^[\w.@:-]{1,128}$/, 'must be a staff id'));
const int = (min: number, max: number) => z.int().check(z.minimum(min), z.maximum(max));
const segmentText = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));

/** Ids unique within a list, else an issue on the first repeated one's `id`. */
const uniqueIds = <T extends { id: string }>(what: string) =>
  z.superRefine<T[]>((items, ctx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.issues.push({ code: 'custom', message: `repeats the id of another ${what}`, input: item.id, path: [i, 'id'] });
      seen.add(item.id);
    });
  });

const optionSchema = z.strictObject({ id: code, text: localized(SURVEY_TEXT_MAX) });
const choiceKinds: readonly string[] = ['single', 'multiple'];

export const questionSchema = z
  .strictObject({
    id: code,
    kind: z.enum(questionKinds),
    topic: z.enum(questionTopics),
    text: localized(SURVEY_TEXT_MAX),
    required: z.optional(z.boolean()),
    options: z.optional(z.array(optionSchema).check(z.minLength(2), z.maxLength(MAX_OPTIONS), uniqueIds<z.infer<typeof optionSchema>>('option'))),
    maxLength: z.optional(int(1, TEXT_ANSWER_MAX)),
  })
  .check(
    z.superRefine((q, ctx) => {
      const choice = choiceKinds.includes(q.kind);
      if (choice && q.options === undefined) ctx.issues.push({ code: 'custom', message: `is required for a ${q.kind} question`, input: q, path: ['options'] });
      if (!choice && q.options !== undefined) ctx.issues.push({ code: 'custom', message: `cannot be given for a ${q.kind} question`, input: q, path: ['options'] });
      if (q.kind !== 'text' && q.maxLength !== undefined) ctx.issues.push({ code: 'custom', message: 'is only for a text question', input: q, path: ['maxLength'] });
    }),
  );
export type QuestionInput = z.infer<typeof questionSchema>;

/** Who a dispatch reaches (SAT-2); shared by dispatches and recurrences. */
export const segmentSchema = z.strictObject({
  type: z.optional(z.enum(customerTypes)),
  region: z.optional(segmentText),
  tier: z.optional(segmentText),
  stage: z.optional(z.enum(lifecycleStages)),
  tag: z.optional(segmentText),
  complaintClosedWithinDays: z.optional(int(1, 366)),
});
export type SegmentInput = z.infer<typeof segmentSchema>;

const sampleSize = int(1, MAX_SAMPLE_SIZE);
const surveyFields = {
  title: localized(SURVEY_TEXT_MAX),
  intro: z.optional(localized(SURVEY_INTRO_MAX)),
  questions: z.array(questionSchema).check(z.minLength(1), z.maxLength(MAX_QUESTIONS), uniqueIds<QuestionInput>('question')),
  recurrence: z.optional(z.strictObject({ every: z.literal('quarter'), segment: segmentSchema, sampleSize: z.optional(sampleSize) })),
  trigger: z.optional(z.strictObject({ event: z.literal('complaint.closed') })),
  contactFrequencyDays: z.optional(int(0, 366)),
  linkValidDays: z.optional(int(1, 90)),
  minGroupSize: z.optional(int(1, 100)),
  risk: z.optional(z.strictObject({ npsAtMost: z.optional(int(0, 10)), csatAtMost: z.optional(int(1, 5)), assignee: z.optional(staffId) })),
};

/** `POST /v1/surveys`: a new survey, a draft (version 1). */
export const createSurveySchema = z.strictObject(surveyFields);
export type CreateSurveyInput = z.infer<typeof createSurveySchema>;

/** `PATCH /v1/surveys/{id}`: fields of the draft to replace; at least one. */
const updateFields = z.partial(z.strictObject(surveyFields));
export const updateSurveySchema = updateFields.check(
  z.refine<z.infer<typeof updateFields>>((u) => Object.keys(u).length > 0, { message: 'must change at least one field', path: ['title'] }),
);
export type UpdateSurveyInput = z.infer<typeof updateSurveySchema>;

export const surveyTransitionSchema = z.strictObject({ action: z.enum(['publish', 'archive']) });
export type SurveyTransitionInput = z.infer<typeof surveyTransitionSchema>;

/** `POST /v1/surveys/{id}/dispatch`. */
export const dispatchSurveySchema = z.strictObject({
  segment: z.optional(segmentSchema),
  sampleSize: z.optional(sampleSize),
  wave: z.optional(z.string().check(z.regex(WAVE_PATTERN, 'must be 1 to 32 letters, digits or dashes'))),
});
export type DispatchSurveyInput = z.infer<typeof dispatchSurveySchema>;

/** Answers by question id; each value is checked against its question (answers.ts). */
const answerRecord = z.record(code, z.union([z.number(), z.string().check(z.maxLength(TEXT_ANSWER_MAX * 2)), z.array(z.string().check(z.maxLength(64))).check(z.maxLength(MAX_OPTIONS))]));
const answersSchema = answerRecord.check(z.refine<z.infer<typeof answerRecord>>((a) => Object.keys(a).length <= MAX_QUESTIONS, { message: `must have at most ${MAX_QUESTIONS} answers` }));
const token = z.string().check(z.minLength(1), z.maxLength(SURVEY_TOKEN_MAX));

/** `POST /v1/surveys/{id}/responses`: with the invitation link's token. */
export const surveyResponseSchema = z.strictObject({ token, answers: answersSchema, submit: z.optional(z.boolean()) });
export type SurveyResponseInput = z.infer<typeof surveyResponseSchema>;
/** `POST /v1/self/surveys/{id}/responses`: the customer's own token says who. */
export const selfSurveyResponseSchema = z.strictObject({ answers: answersSchema, submit: z.optional(z.boolean()) });
export type SelfSurveyResponseInput = z.infer<typeof selfSurveyResponseSchema>;
/** The `Survey-Token` header of `GET /v1/surveys/{id}/form`. */
export const surveyTokenHeaders = z.object({ 'survey-token': token });

const wave = z.optional(z.string().check(z.regex(WAVE_PATTERN, 'must be a wave label')));
const limit = z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)));
const cursor = z.optional(z.string().check(z.maxLength(1024)));

export const surveyResultsQuery = z.strictObject({ by: z.optional(z.enum(resultDimensions)), wave });
export type SurveyResultsQuery = z.infer<typeof surveyResultsQuery>;
export const surveyCommentsQuery = z.strictObject({ wave, question: z.optional(code), limit, cursor });
export type SurveyCommentsQuery = z.infer<typeof surveyCommentsQuery>;
export const listSurveysQuery = z.strictObject({ status: z.optional(z.enum(surveyStatuses)), limit, cursor });
export type ListSurveysQuery = z.infer<typeof listSurveysQuery>;
export const getSurveyQuery = z.strictObject({ version: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(999_999))) });

export const surveyIdParams = z.strictObject({ id: z.uuid('must be a survey id (UUID)') });
export const dispatchIdParams = z.strictObject({ id: z.uuid('must be a survey id (UUID)'), dispatchId: z.uuid('must be a dispatch id (UUID)') });

// Answers, for the OpenAPI document.
const localizedOut = z.object({ 'zh-CN': z.string(), en: z.string() });
const questionOut = z.object({
  id: z.string(),
  kind: z.enum(questionKinds),
  topic: z.enum(questionTopics),
  text: localizedOut,
  required: z.boolean(),
  options: z.optional(z.array(z.object({ id: z.string(), text: localizedOut }))),
  maxLength: z.optional(z.int()),
});
const segmentOut = z.object({
  type: z.optional(z.string()),
  region: z.optional(z.string()),
  tier: z.optional(z.string()),
  stage: z.optional(z.string()),
  tag: z.optional(z.string()),
  complaintClosedWithinDays: z.optional(z.int()),
});
export const surveySchema = z.object({
  id: z.uuid(),
  version: z.int(),
  status: z.enum(surveyStatuses),
  title: localizedOut,
  intro: z.optional(localizedOut),
  questions: z.array(questionOut),
  recurrence: z.optional(z.object({ every: z.literal('quarter'), segment: segmentOut, sampleSize: z.optional(z.int()) })),
  trigger: z.optional(z.object({ event: z.literal('complaint.closed') })),
  contactFrequencyDays: z.int(),
  linkValidDays: z.int(),
  minGroupSize: z.int(),
  risk: z.object({ npsAtMost: z.int(), csatAtMost: z.int(), assignee: z.optional(z.string()) }),
  waves: z.array(z.string()),
  publishedVersion: z.optional(z.int()),
  /** The draft version, when one exists beside the version shown. */
  draftVersion: z.optional(z.int()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  updatedBy: z.string(),
  publishedAt: z.optional(z.string()),
  etag: z.int(),
});
export const surveyPageSchema = z.object({ items: z.array(surveySchema), cursor: z.optional(z.string()) });

const counts = z.record(z.string(), z.int());
export const dispatchSchema = z.looseObject({
  id: z.uuid(),
  surveyId: z.uuid(),
  surveyVersion: z.int(),
  wave: z.string(),
  segment: segmentOut,
  sampleSize: z.optional(z.int()),
  cause: z.enum(['request', 'schedule', 'trigger']),
  state: z.enum(['counting', 'selecting', 'done']),
  eligible: z.optional(z.int()),
  seen: z.int(),
  chosen: z.int(),
  pages: z.int(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  finishedAt: z.optional(z.string()),
  version: z.int(),
  progress: z.object({ selected: z.int(), skipped: counts, queued: z.int(), sent: z.int(), failed: z.int() }),
});

/** The form an invitation's customer fills in (loosely typed: its questions and saved answers). */
export const surveyFormSchema = z.looseObject({
  surveyId: z.uuid(),
  invitationId: z.string(),
  surveyVersion: z.int(),
  wave: z.string(),
  language: z.string(),
  title: z.string(),
  state: z.string(),
  expiresAt: z.string(),
  questions: z.array(z.record(z.string(), z.unknown())),
  answers: z.optional(z.record(z.string(), z.unknown())),
});
export const surveyResponseAnswerSchema = z.record(z.string(), z.unknown());
export const selfSurveysSchema = z.object({ items: z.array(z.record(z.string(), z.unknown())) });
export const surveyResultsSchema = z.record(z.string(), z.unknown());
export const surveyCommentPageSchema = z.object({ items: z.array(z.record(z.string(), z.unknown())), cursor: z.optional(z.string()) });
