import * as z from 'zod/mini';
import { complaintChannels, complaintLanguages, complaintSeverities, DESCRIPTION_MAX, SUBJECT_MAX, complaintCode } from '../complaints/index.js';
import { riskFlagActions } from './state-machine.js';
import { riskOutcomes, riskReasons, riskStatuses } from './types.js';

export const NOTE_MAX = 2000;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** Staff ids: no free text, so nothing personal reaches an index key. */
const staffId = z.string().check(z.regex(/^[\w.@:-]{1,128}$/, 'must be a staff id'));

/** The complaint a closing call opens: the customer is the flag's, the rest as at intake. */
export const riskFlagComplaintSchema = z.strictObject({
  category: complaintCode,
  severity: z.enum(complaintSeverities),
  channel: z.enum(complaintChannels),
  subject: text(SUBJECT_MAX),
  description: text(DESCRIPTION_MAX),
  language: z.optional(z.enum(complaintLanguages)),
});

const transitionFields = z.strictObject({
  action: z.enum(riskFlagActions),
  assignee: z.optional(staffId),
  outcome: z.optional(z.enum(riskOutcomes)),
  note: z.optional(text(NOTE_MAX)),
  complaint: z.optional(riskFlagComplaintSchema),
});
type TransitionFields = z.infer<typeof transitionFields>;
const rule = (check: (t: TransitionFields) => boolean, path: keyof TransitionFields, message: string) => z.refine<TransitionFields>(check, { message, path: [path] });

/**
 * `POST /v1/risk-flags/{id}/transitions`: assign needs `assignee`; close needs `outcome`, and a
 * `complaint` exactly when the outcome is `complaint-opened` (400 naming the field).
 */
export const riskFlagTransitionSchema = transitionFields.check(
  rule((t) => t.action !== 'assign' || t.assignee !== undefined, 'assignee', 'is required to assign'),
  rule((t) => t.action !== 'close' || t.outcome !== undefined, 'outcome', 'is required to close'),
  rule((t) => t.action === 'close' || (t.outcome === undefined && t.note === undefined && t.complaint === undefined), 'action', 'outcome, note and complaint go with close only'),
  rule((t) => t.action === 'assign' || t.assignee === undefined, 'assignee', 'goes with assign only'),
  rule((t) => t.complaint === undefined || t.outcome === 'complaint-opened', 'outcome', 'must be complaint-opened when a complaint is given'),
  rule((t) => t.outcome !== 'complaint-opened' || t.complaint !== undefined, 'complaint', 'is required when the outcome is complaint-opened'),
);
export type RiskFlagTransitionInput = z.infer<typeof riskFlagTransitionSchema>;

export const riskFlagIdParams = z.strictObject({ id: z.uuid('must be a risk flag id (UUID)') });
export const customerIdParams = z.strictObject({ id: z.uuid('must be a customer id (UUID)') });

const page = {
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
};

/** `GET /v1/reports/risk`: open flags unless a status is named. */
export const listRiskFlagsQuery = z.strictObject({
  reason: z.optional(z.enum(riskReasons)),
  status: z.optional(z.enum(riskStatuses)),
  assignee: z.optional(staffId),
  ...page,
});
export type ListRiskFlagsQuery = z.infer<typeof listRiskFlagsQuery>;

export const customerRiskFlagsQuery = z.strictObject(page);
export type CustomerRiskFlagsQuery = z.infer<typeof customerRiskFlagsQuery>;

const source = z.union([
  z.object({ kind: z.literal('survey'), surveyId: z.string(), wave: z.string(), invitationId: z.string(), questionId: z.string(), score: z.number() }),
  z.object({ kind: z.literal('complaint'), complaintId: z.string(), reference: z.string() }),
]);

export const riskFlagSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  reason: z.enum(riskReasons),
  source,
  status: z.enum(riskStatuses),
  assignee: z.optional(z.string()),
  raisedAt: z.string(),
  assignedAt: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  closedBy: z.optional(z.string()),
  outcome: z.optional(z.enum(riskOutcomes)),
  note: z.optional(z.string()),
  complaintId: z.optional(z.string()),
  version: z.int(),
  integrity: z.optional(z.literal('failed')),
});
export const riskFlagPageSchema = z.object({ items: z.array(riskFlagSchema), cursor: z.optional(z.string()) });
