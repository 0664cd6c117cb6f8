import * as z from 'zod/mini';
import type { FieldIssue } from '../../platform/errors/index.js';
import { customerTypes, lifecycleStages } from '../customers/index.js';
import {
  cacGrades,
  discoverySources,
  incidentActions,
  incidentDataCategories,
  incidentSeverities,
  incidentStatuses,
  jurisdictions,
  reportRegimes,
} from './types.js';

/** Limits of an incident's texts and lists (BR-1 to BR-4). */
export const INCIDENT_TITLE_MAX = 200;
export const INCIDENT_DESCRIPTION_MAX = 10_000;
/** Consequences, causes, advice, measures, lessons. */
export const INCIDENT_TEXT_MAX = 5_000;
export const INCIDENT_REASON_MAX = 2_000;
export const STEP_ACTION_MAX = 2_000;
export const MAX_STEPS = 100;
export const MAX_SYSTEMS = 50;
export const MAX_EXPOSED_FIELDS = 100;
export const MAX_SCOPE_CUSTOMERS = 1_000;
export const MAX_EXPLANATIONS = 20;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** Staff and actor ids: no free text, so nothing personal reaches a key or an index. */
const actorId = z.string().check(z.regex(/^[\w.@:-]{1,128}$/, 'must be an actor id'));
const code = z.string().check(z.regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be a code: lowercase letters, digits, dots or dashes, at most 64'));
/** An instant with its offset, kept as UTC (`...Z`) so that stored times compare as strings. */
const instant = z.iso.datetime({ offset: true }).check(z.overwrite((value) => new Date(value).toISOString()));
const unique = <T>(what: string) =>
  z.refine<T[]>((items) => new Set(items).size === items.length, { message: `must not repeat a ${what}` });
const categories = z.array(z.enum(incidentDataCategories)).check(z.maxLength(incidentDataCategories.length), unique('category'));

/** The order of an incident's times (BR-1): occurred, then discovered, then aware; awareness not in the future. */
export function incidentTimeIssues(times: { occurredAt?: string; discoveredAt?: string; awareAt?: string }, now?: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { occurredAt, discoveredAt, awareAt } = times;
  if (occurredAt && discoveredAt && discoveredAt < occurredAt) issues.push({ field: 'discoveredAt', message: 'must not be before occurredAt' });
  if (awareAt && discoveredAt && awareAt < discoveredAt) issues.push({ field: 'awareAt', message: 'must not be before discoveredAt' });
  if (awareAt && now && awareAt > now.toISOString()) issues.push({ field: 'awareAt', message: 'must not be in the future' });
  return issues;
}

const timeOrder = <T extends { occurredAt?: string; discoveredAt?: string; awareAt?: string }>() =>
  z.superRefine<T>((value, ctx) => {
    for (const issue of incidentTimeIssues(value)) ctx.issues.push({ code: 'custom', message: issue.message, input: value, path: [issue.field] });
  });

const createFields = z.strictObject({
  title: text(INCIDENT_TITLE_MAX),
  description: text(INCIDENT_DESCRIPTION_MAX),
  source: z.enum(discoverySources),
  /** A drill: its notices go to the drill sink, never to a customer. Exactly when `source` is `drill`. */
  drill: z.optional(z.boolean()),
  occurredAt: instant,
  discoveredAt: instant,
  awareAt: instant,
  severity: z.enum(incidentSeverities),
  dataCategories: z.optional(categories),
  systems: z.optional(z.array(code).check(z.maxLength(MAX_SYSTEMS), unique('system'))),
  jurisdictions: z.optional(z.array(z.enum(jurisdictions)).check(z.maxLength(jurisdictions.length), unique('jurisdiction'))),
});
type CreateFields = z.infer<typeof createFields>;

/** `POST /v1/incidents`: times in order (400 naming the field); `drill` exactly with source `drill`. */
export const createIncidentSchema = createFields.check(
  timeOrder<CreateFields>(),
  z.refine<CreateFields>((i) => (i.source === 'drill') === (i.drill === true), { message: 'must be true exactly when the source is drill', path: ['drill'] }),
);
export type CreateIncidentInput = z.infer<typeof createIncidentSchema>;

const reason = text(INCIDENT_REASON_MAX);
const exposedFields = z.array(code).check(z.maxLength(MAX_EXPOSED_FIELDS), unique('field'));

const assessFields = z.strictObject({
  action: z.literal('assess'),
  highRisk: z.boolean(),
  consequences: text(INCIDENT_TEXT_MAX),
  cause: text(INCIDENT_TEXT_MAX),
  advice: text(INCIDENT_TEXT_MAX),
  exposure: z.strictObject({ sealedFields: exposedFields, clearFields: exposedFields, keysExposed: z.boolean() }),
  severity: z.optional(z.enum(incidentSeverities)),
  dataCategories: z.optional(categories),
  /** Corrects when the company became aware (a draft's is the detection time); needs `reason`. */
  awareAt: z.optional(instant),
  /** Raises the CAC grade above the computed one; needs `reason`. */
  gradeOverride: z.optional(z.enum(cacGrades)),
  reason: z.optional(reason),
});
type AssessFields = z.infer<typeof assessFields>;
const assessSchema = assessFields.check(
  z.refine<AssessFields>((a) => a.awareAt === undefined || a.reason !== undefined, { message: 'is required to change awareAt', path: ['reason'] }),
  z.refine<AssessFields>((a) => a.gradeOverride === undefined || a.reason !== undefined, { message: 'is required to raise the grade', path: ['reason'] }),
);

/** `POST /v1/incidents/{id}/transitions`: one body per action. */
export const incidentTransitionSchema = z.discriminatedUnion('action', [
  assessSchema,
  z.strictObject({ action: z.literal('contain'), measures: text(INCIDENT_TEXT_MAX), reason: z.optional(reason) }),
  z.strictObject({ action: z.literal('notify'), reason: z.optional(reason) }),
  z.strictObject({ action: z.literal('remediate'), reason: z.optional(reason) }),
  z.strictObject({
    action: z.literal('close'),
    lessons: text(INCIDENT_TEXT_MAX),
    /** Why a deadline was missed or met late, by obligation id. */
    explanations: z.optional(
      z.record(code, reason).check(z.refine((e) => Object.keys(e).length <= MAX_EXPLANATIONS, { message: `must have at most ${MAX_EXPLANATIONS} entries` })),
    ),
    reason: z.optional(reason),
  }),
]);
export type IncidentTransitionInput = z.infer<typeof incidentTransitionSchema>;
export type TransitionInput = IncidentTransitionInput;

/**
 * `PUT /v1/incidents/{id}/deadlines/{obligation}`: a new due time, always with its reason;
 * with `explanation` also (or only, keeping the due time) why it is missed or met late, as a
 * late report must give the reasons for its delay (GDPR Art. 33(1)).
 */
export const changeDeadlineSchema = z
  .strictObject({ dueAt: z.optional(instant), reason: z.optional(reason), explanation: z.optional(reason) })
  .check(
    z.refine((input) => input.dueAt === undefined || input.reason !== undefined, { message: 'is required to move a deadline', path: ['reason'] }),
    z.refine((input) => input.dueAt !== undefined || input.explanation !== undefined, { message: 'give dueAt (with reason) or explanation', path: ['dueAt'] }),
  );
export type ChangeDeadlineInput = z.infer<typeof changeDeadlineSchema>;

const dueOn = z.iso.date();
/** `POST /v1/incidents/{id}/steps`. */
export const addStepSchema = z.strictObject({ action: text(STEP_ACTION_MAX), owner: actorId, dueOn });
export type AddStepInput = z.infer<typeof addStepSchema>;
/** `PATCH /v1/incidents/{id}/steps/{stepId}`. */
export const updateStepSchema = z.strictObject({ status: z.enum(['open', 'in-progress', 'done']), owner: z.optional(actorId), dueOn: z.optional(dueOn) });
export type UpdateStepInput = z.infer<typeof updateStepSchema>;

const segmentText = z.string().check(z.trim(), z.minLength(1), z.maxLength(64));
type Window = { from: string; to: string };
const windowOrder = z.refine<Window>((w) => w.from <= w.to, { message: 'must not be before from', path: ['to'] });

/** `POST /v1/incidents/{id}/scope`: where the affected customers are found. */
export const scopeSourceSchema = z.discriminatedUnion('by', [
  z.strictObject({ by: z.literal('actor'), actor: actorId, from: instant, to: instant }).check(windowOrder),
  z.strictObject({ by: z.literal('partner'), partnerId: code, from: instant, to: instant }).check(windowOrder),
  z.strictObject({
    by: z.literal('segment'),
    segment: z.strictObject({
      type: z.optional(z.enum(customerTypes)),
      region: z.optional(segmentText),
      tier: z.optional(segmentText),
      stage: z.optional(z.enum(lifecycleStages)),
      tag: z.optional(segmentText),
    }),
  }),
  z.strictObject({ by: z.literal('customers'), customerIds: z.array(z.uuid('must be a customer id (UUID)')).check(z.minLength(1), z.maxLength(MAX_SCOPE_CUSTOMERS), unique('customer id')) }),
]);
export type ScopeSourceInput = z.infer<typeof scopeSourceSchema>;

/** `POST /v1/incidents/{id}/reports/{jurisdiction}/submissions`: a report handed to an authority. */
export const submissionSchema = z.strictObject({
  phase: z.enum(['initial', 'follow-up', 'final']),
  submittedAt: instant,
  recipient: text(200),
  reference: text(200),
  note: z.optional(text(INCIDENT_REASON_MAX)),
});
export type SubmissionInput = z.infer<typeof submissionSchema>;

const limit = z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100)));
const cursor = z.optional(z.string().check(z.maxLength(1024)));

export const listIncidentsQuery = z.strictObject({ status: z.optional(z.enum(incidentStatuses)), drill: z.optional(z.enum(['true', 'false'])), limit, cursor });
export type ListIncidentsQuery = z.infer<typeof listIncidentsQuery>;
export const incidentPageQuery = z.strictObject({ limit, cursor });
export type IncidentPageQuery = z.infer<typeof incidentPageQuery>;
export const incidentNotificationsQuery = z.strictObject({ state: z.optional(z.enum(['queued', 'sending', 'sent', 'failed', 'undeliverable', 'skipped'])), limit, cursor });
export type IncidentNotificationsQuery = z.infer<typeof incidentNotificationsQuery>;

const incidentId = z.uuid('must be an incident id (UUID)');
export const incidentIdParams = z.strictObject({ id: incidentId });
export const incidentDeadlineParams = z.strictObject({ id: incidentId, obligation: code });
export const incidentStepParams = z.strictObject({ id: incidentId, stepId: z.uuid('must be a step id (UUID)') });
export const incidentReportParams = z.strictObject({ id: incidentId, jurisdiction: z.enum(reportRegimes) });

// Answers, for the OpenAPI document. What other parts of the context compute (deadlines, runs,
// progress, reports) is typed loosely: a field they add does not break the answer's contract.
const counts = z.record(z.string(), z.int());
const deadlineOut = z.looseObject({
  obligation: z.string(),
  regime: z.enum(reportRegimes),
  audience: z.enum(['authority', 'individuals']),
  basis: z.string(),
  applies: z.boolean(),
  reason: z.optional(z.string()),
  dueAt: z.optional(z.string()),
  remainingMs: z.optional(z.number()),
  elapsed: z.optional(z.number()),
  state: z.enum(['not-applicable', 'pending', 'running', 'met', 'late', 'missed', 'explained']),
  metAt: z.optional(z.string()),
  changed: z.optional(z.object({ at: z.string(), by: z.string(), from: z.string() })),
  alerted: z.array(z.number()),
});
const scopeSourceOut = z.looseObject({
  by: z.enum(['actor', 'partner', 'segment', 'customers']),
  actor: z.optional(z.string()),
  partnerId: z.optional(z.string()),
  from: z.optional(z.string()),
  to: z.optional(z.string()),
  segment: z.optional(z.record(z.string(), z.string())),
  customerIds: z.optional(z.array(z.string())),
});
export const scopeRunSchema = z.looseObject({
  id: z.string(),
  source: scopeSourceOut,
  state: z.enum(['running', 'done']),
  read: z.int(),
  added: z.int(),
  pages: z.int(),
  startedAt: z.string(),
  finishedAt: z.optional(z.string()),
});
const scopeCountsOut = z.object({ affected: z.int(), byRegion: counts, byJurisdiction: counts, byCategory: counts });
export const notificationProgressSchema = z.looseObject({
  affected: z.int(),
  pending: z.int(),
  queued: z.int(),
  sent: z.int(),
  failed: z.int(),
  undeliverable: z.int(),
  skipped: z.int(),
  state: z.enum(['not-started', 'running', 'done']),
  startedAt: z.optional(z.string()),
  finishedAt: z.optional(z.string()),
  drill: z.boolean(),
});
export const incidentSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  source: z.enum(discoverySources),
  draft: z.boolean(),
  drill: z.boolean(),
  findingId: z.optional(z.string()),
  occurredAt: z.string(),
  discoveredAt: z.string(),
  awareAt: z.string(),
  dataCategories: z.array(z.enum(incidentDataCategories)),
  systems: z.array(z.string()),
  jurisdictions: z.array(z.enum(jurisdictions)),
  severity: z.enum(incidentSeverities),
  status: z.enum(incidentStatuses),
  assessment: z.optional(
    z.object({
      highRisk: z.boolean(),
      consequences: z.string(),
      cause: z.string(),
      advice: z.string(),
      exposure: z.object({ sealedFields: z.array(z.string()), clearFields: z.array(z.string()), keysExposed: z.boolean() }),
      intelligible: z.boolean(),
      assessedAt: z.string(),
      assessedBy: z.string(),
    }),
  ),
  measures: z.optional(z.string()),
  steps: z.array(
    z.object({
      id: z.string(),
      action: z.string(),
      owner: z.string(),
      dueOn: z.string(),
      status: z.enum(['open', 'in-progress', 'done']),
      doneAt: z.optional(z.string()),
      updatedAt: z.string(),
    }),
  ),
  history: z.array(z.object({ action: z.enum(incidentActions), from: z.enum(incidentStatuses), to: z.enum(incidentStatuses), at: z.string(), by: z.string(), reason: z.optional(z.string()) })),
  lessons: z.optional(z.string()),
  grade: z.enum(cacGrades),
  scope: z.object({ runs: z.array(scopeRunSchema), counts: scopeCountsOut }),
  deadlines: z.array(deadlineOut),
  notifications: notificationProgressSchema,
  timings: z.object({ scopeMs: z.optional(z.number()), reportMs: z.optional(z.number()), notificationMs: z.optional(z.number()) }),
  handlingEndedAt: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  version: z.int(),
});
export const incidentPageSchema = z.object({ items: z.array(incidentSchema), cursor: z.optional(z.string()) });
export const affectedPageSchema = z.object({
  items: z.array(z.looseObject({ customerId: z.uuid(), region: z.string(), jurisdiction: z.enum(jurisdictions), addedAt: z.string() })),
  cursor: z.optional(z.string()),
});
export const notificationPageSchema = z.object({
  progress: notificationProgressSchema,
  items: z.array(
    z.object({
      customerId: z.uuid(),
      channel: z.optional(z.enum(['email', 'sms'])),
      state: z.enum(['queued', 'sending', 'sent', 'failed', 'undeliverable', 'skipped']),
      failure: z.optional(z.string()),
      attempts: z.int(),
      updatedAt: z.string(),
    }),
  ),
  cursor: z.optional(z.string()),
});
export const submissionOutSchema = z.looseObject({
  regime: z.enum(reportRegimes),
  phase: z.enum(['initial', 'follow-up', 'final']),
  submittedAt: z.string(),
  recipient: z.string(),
  reference: z.string(),
  note: z.optional(z.string()),
  recordedAt: z.string(),
  recordedBy: z.string(),
});
export const incidentReportSchema = z.looseObject({
  incidentId: z.uuid(),
  regime: z.enum(reportRegimes),
  obligation: z.string(),
  basis: z.string(),
  deadline: deadlineOut,
  items: z.array(z.object({ key: z.string(), label: z.string(), value: z.optional(z.unknown()), missing: z.boolean() })),
  complete: z.boolean(),
  delayReason: z.optional(z.string()),
  submissions: z.array(submissionOutSchema),
  generatedAt: z.string(),
});
