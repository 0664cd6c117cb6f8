import * as z from 'zod/mini';
import { complaintCode } from './policy-schemas.js';
import {
  complaintActions,
  complaintChannels,
  complaintLanguages,
  complaintSeverities,
  complaintStatuses,
  escalationTargets,
  followUpOutcomes,
  milestoneNames,
  milestoneStates,
} from './types.js';

/** Limits of the customer's own words (CMP-1). */
export const SUBJECT_MAX = 200;
export const DESCRIPTION_MAX = 4000;
export const DESIRED_OUTCOME_MAX = 2000;

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
/** Category, department and root-cause codes, as the policies name them. */
const code = complaintCode;
/** Staff ids and department codes: no free text, so nothing personal reaches an index. */
const staffId = z.string().check(z.regex(/^[\w.@:-]{1,128}$/, 'must be a staff id'));

const complaintText = {
  category: code,
  severity: z.enum(complaintSeverities),
  subject: text(SUBJECT_MAX),
  description: text(DESCRIPTION_MAX),
  desiredOutcome: z.optional(text(DESIRED_OUTCOME_MAX)),
  language: z.optional(z.enum(complaintLanguages)),
};

/** `POST /v1/complaints`: a complaint staff take in, on whichever channel it came. */
export const createComplaintSchema = z.strictObject({
  customerId: z.uuid('must be a customer id (UUID)'),
  channel: z.enum(complaintChannels),
  ...complaintText,
});
export type CreateComplaintInput = z.infer<typeof createComplaintSchema>;

/** The severities a customer may choose themselves: `critical` is staff's judgement. */
export const selfComplaintSeverities = ['low', 'medium', 'high'] as const;

/** `POST /v1/self/complaints`: the customer and the channel are known; severity `medium` unless chosen. */
export const selfComplaintSchema = z.strictObject({ ...complaintText, severity: z.optional(z.enum(selfComplaintSeverities)) });
export type SelfComplaintInput = z.infer<typeof selfComplaintSchema>;

const transitionFields = z.strictObject({
  action: z.enum(complaintActions),
  reason: z.optional(text(1000)),
  assignee: z.optional(staffId),
  department: z.optional(code),
  resolution: z.optional(text(DESCRIPTION_MAX)),
  /** A code of the policies' root causes (a code, not the customer's words: stored in the clear). */
  rootCause: z.optional(code),
  outcome: z.optional(z.enum(followUpOutcomes)),
  rating: z.optional(z.int().check(z.minimum(1), z.maximum(5))),
  note: z.optional(text(DESCRIPTION_MAX)),
});
type TransitionFields = z.infer<typeof transitionFields>;
const required = (action: TransitionFields['action'], field: keyof TransitionFields, present: (t: TransitionFields) => boolean) =>
  z.refine<TransitionFields>((t) => t.action !== action || present(t), { message: `is required to ${action}`, path: [field] });

/** `POST /v1/complaints/{id}/transitions`: what each action needs is required for it (400 naming the field). */
export const complaintTransitionSchema = transitionFields.check(
  required('assign', 'assignee', (t) => t.assignee !== undefined),
  required('resolve', 'resolution', (t) => t.resolution !== undefined),
  required('resolve', 'rootCause', (t) => t.rootCause !== undefined),
  required('follow-up', 'outcome', (t) => t.outcome !== undefined),
  required('follow-up', 'rating', (t) => t.outcome === 'unreachable' || t.rating !== undefined),
  z.refine<TransitionFields>((t) => t.outcome !== 'unreachable' || t.rating === undefined, { message: 'cannot be given when the customer was unreachable', path: ['rating'] }),
  required('reopen', 'reason', (t) => t.reason !== undefined),
);
export type ComplaintTransitionInput = z.infer<typeof complaintTransitionSchema>;

export const complaintIdParams = z.strictObject({ id: z.uuid('must be a complaint id (UUID)') });

export const listComplaintsQuery = z.strictObject({
  status: z.optional(z.enum(complaintStatuses)),
  category: z.optional(code),
  severity: z.optional(z.enum(complaintSeverities)),
  department: z.optional(code),
  assignee: z.optional(staffId),
  customerId: z.optional(z.uuid('must be a customer id (UUID)')),
  overdue: z.optional(z.enum(['true'])),
  dueBefore: z.optional(z.iso.datetime({ message: 'must be an ISO date-time' })),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type ListComplaintsQuery = z.infer<typeof listComplaintsQuery>;

export const selfComplaintsQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

const milestone = z.object({ state: z.enum(milestoneStates), dueAt: z.optional(z.string()), doneAt: z.optional(z.string()) });
const milestones = z.object(Object.fromEntries(milestoneNames.map((name) => [name, milestone])) as Record<(typeof milestoneNames)[number], typeof milestone>);
const escalationStep = z.object({
  level: z.int(),
  target: z.enum(escalationTargets),
  at: z.string(),
  milestone: z.enum(milestoneNames),
  announcedAt: z.optional(z.string()),
  publishedAt: z.optional(z.string()),
});
const historyEntry = z.object({
  action: z.string(),
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  from: z.optional(z.enum(complaintStatuses)),
  to: z.optional(z.enum(complaintStatuses)),
  reason: z.optional(z.string()),
});
const notice = z.object({
  kind: z.enum(['acknowledgement', 'resolution']),
  state: z.enum(['sent', 'pending', 'failed']),
  attempts: z.int(),
  lastAttemptAt: z.optional(z.string()),
});

export const complaintSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  customerId: z.uuid(),
  channel: z.enum(complaintChannels),
  category: z.string(),
  severity: z.enum(complaintSeverities),
  language: z.enum(complaintLanguages),
  privacy: z.boolean(),
  subject: z.string(),
  description: z.string(),
  desiredOutcome: z.optional(z.string()),
  receivedBy: z.string(),
  receivedAt: z.string(),
  status: z.enum(complaintStatuses),
  department: z.optional(z.string()),
  assignee: z.optional(z.string()),
  milestones,
  resolution: z.optional(z.object({ summary: z.string(), rootCause: z.string(), at: z.string() })),
  followUp: z.optional(z.object({ outcome: z.enum(followUpOutcomes), rating: z.optional(z.int()), note: z.optional(z.string()), at: z.string() })),
  reopenCount: z.int(),
  pausedSince: z.optional(z.string()),
  escalations: z.array(escalationStep),
  notices: z.array(notice),
  history: z.array(historyEntry),
  version: z.int(),
  /** `failed`: the sealed texts failed their integrity check and are not shown (operators are alerted). */
  integrity: z.optional(z.literal('failed')),
});
export const complaintPageSchema = z.object({ items: z.array(complaintSchema), cursor: z.optional(z.string()) });

export const customerComplaintSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  channel: z.enum(complaintChannels),
  category: z.string(),
  severity: z.enum(complaintSeverities),
  subject: z.string(),
  description: z.string(),
  desiredOutcome: z.optional(z.string()),
  receivedAt: z.string(),
  status: z.enum(complaintStatuses),
  respondBy: z.optional(z.string()),
  resolution: z.optional(z.object({ summary: z.string(), at: z.string() })),
  followUp: z.optional(z.object({ outcome: z.enum(followUpOutcomes), rating: z.optional(z.int()), at: z.string() })),
});
export const customerComplaintPageSchema = z.object({ items: z.array(customerComplaintSchema), cursor: z.optional(z.string()) });
