import type { Classification } from '../customers/index.js';

/** The languages a survey is written in and an invitation is sent in. */
export const surveyLanguages = ['zh-CN', 'en'] as const;
export type SurveyLanguage = (typeof surveyLanguages)[number];
export type Localized = Record<SurveyLanguage, string>;

/**
 * Question kinds (SAT-1): NPS 0-10 ("how likely to recommend"), CSAT 1-5, CES 1-7, single
 * and multiple choice among the question's options, and free text (sealed: personal data).
 */
export const questionKinds = ['nps', 'csat', 'ces', 'single', 'multiple', 'text'] as const;
export type QuestionKind = (typeof questionKinds)[number];
/** What a question asks about (SAT-1: service quality, product performance and experience). */
export const questionTopics = ['service-quality', 'product-performance', 'experience'] as const;
export type QuestionTopic = (typeof questionTopics)[number];

/** The scale of each scored kind, inclusive. */
export const SCALES = { nps: { min: 0, max: 10 }, csat: { min: 1, max: 5 }, ces: { min: 1, max: 7 } } as const;
export type ScoredKind = keyof typeof SCALES;

export interface QuestionOption {
  /** A code, unique in its question (`^[a-z0-9-]{1,32}$`): counters name it. */
  id: string;
  text: Localized;
}

export interface Question {
  /** A code, unique in its survey (`^[a-z0-9-]{1,32}$`). */
  id: string;
  kind: QuestionKind;
  topic: QuestionTopic;
  text: Localized;
  required: boolean;
  /** single and multiple: 2 to 20 options. */
  options?: QuestionOption[];
  /** text: the longest answer in characters (default 2,000, at most 4,000). */
  maxLength?: number;
}

/** Who a dispatch reaches (SAT-2). Every field narrows; none means every customer. */
export interface Segment {
  type?: Classification['type'];
  region?: string;
  tier?: string;
  stage?: Classification['stage'];
  tag?: string;
  /** Only customers with a complaint closed in the last N days (1 to 366). */
  complaintClosedWithinDays?: number;
}

/** A new wave every quarter, to this segment (SAT-1: at least quarterly). */
export interface Recurrence {
  every: 'quarter';
  segment: Segment;
  sampleSize?: number;
}

/** A survey sent to one customer when something happens to them. */
export interface SurveyTrigger {
  event: 'complaint.closed';
}

/** Which answers raise a risk flag (SAT-3): a score at or below the bound. */
export interface SurveyRiskRule {
  npsAtMost: number;
  csatAtMost: number;
  /** The agent a flag is assigned to; unassigned (status `open`) when absent. */
  assignee?: string;
}

export const surveyStatuses = ['draft', 'published', 'archived'] as const;
export type SurveyStatus = (typeof surveyStatuses)[number];

/**
 * One version of a survey. A draft can change; a published version's questions never do
 * (a new version can be drafted from it and published in its place). Answers are checked
 * against the version their invitation was sent with.
 */
export interface Survey {
  id: string;
  version: number;
  status: SurveyStatus;
  title: Localized;
  intro?: Localized;
  questions: Question[];
  recurrence?: Recurrence;
  trigger?: SurveyTrigger;
  /** A customer invited to any survey within this many days is skipped (default 90). */
  contactFrequencyDays: number;
  /** How long an answer link stays valid, in days (default 30). */
  linkValidDays: number;
  /** Result groups with fewer answers are suppressed (default 5). */
  minGroupSize: number;
  risk: SurveyRiskRule;
  /** Waves dispatched so far, oldest first (at most `MAX_WAVES` kept). */
  waves: string[];
  /** The published version in force, when one is (answers and dispatches use it). */
  publishedVersion?: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  publishedAt?: string;
  /** Optimistic-lock counter of the survey (ETag), bumped by every change of any version. */
  etag: number;
}

export const MAX_WAVES = 40;

/** Why a customer of the segment got no invitation (SAT-2); each counted. */
export const skipReasons = ['no-consent', 'restricted', 'objected', 'erasure', 'recently-invited', 'already-invited', 'no-contact', 'not-sampled'] as const;
export type SkipReason = (typeof skipReasons)[number];

/**
 * A dispatch's progress. `selected` = `queued` + `sent` + `failed` at every moment (each
 * move between them is one transaction); the customers looked at are `selected` plus the
 * skipped ones.
 */
export interface DispatchProgress {
  selected: number;
  skipped: Record<SkipReason, number>;
  queued: number;
  sent: number;
  failed: number;
}

/**
 * A dispatch job. `counting` (only with a sample: how many are eligible), then `selecting`
 * (invitations made page by page), then `done`. A page message carries only the id: the
 * position is `cursor` here, written with the page's skip counts in one transaction.
 */
export interface Dispatch {
  id: string;
  surveyId: string;
  surveyVersion: number;
  wave: string;
  segment: Segment;
  sampleSize?: number;
  cause: 'request' | 'schedule' | 'trigger';
  state: 'counting' | 'selecting' | 'done';
  /** Eligible customers found by the counting pass (with a sample). */
  eligible?: number;
  /** Customers seen and selected so far by the selecting pass (sequential sampling). */
  seen: number;
  chosen: number;
  cursor?: string;
  pages: number;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  finishedAt?: string;
  version: number;
  progress: DispatchProgress;
}

export const invitationStates = ['queued', 'sending', 'sent', 'failed', 'answered'] as const;
export type InvitationState = (typeof invitationStates)[number];
export type InvitationFailure = 'notifier' | 'interrupted' | 'no-contact' | 'erased';

/** The classification an invitation was sent under: results group invited and answers by it. */
export type SegmentSnapshot = Pick<Classification, 'type' | 'region' | 'tier' | 'stage'>;
export const resultDimensions = ['type', 'region', 'tier', 'stage'] as const;
export type ResultDimension = (typeof resultDimensions)[number];

/** One answer: a score, option ids, or text (by the question's kind). */
export type AnswerValue = number | string | string[];
export type Answers = Record<string, AnswerValue>;

/**
 * One customer's invitation to one wave of a survey, in the customer's partition (erased
 * with it). Answers are sealed under the customer's key (free text is personal data; so is
 * a score tied to a person); aggregates hold counts only.
 */
export interface Invitation {
  id: string;
  customerId: string;
  surveyId: string;
  surveyVersion: number;
  wave: string;
  dispatchId: string;
  language: SurveyLanguage;
  channel: 'email' | 'sms';
  snapshot: SegmentSnapshot;
  state: InvitationState;
  attempts: number;
  failure?: InvitationFailure;
  queuedAt: string;
  sentAt?: string;
  expiresAt: string;
  /** Partial answers saved before submission. */
  savedAt?: string;
  answeredAt?: string;
  answers?: Answers;
  version: number;
}

/** The events the dispatch queue carries: ids only. */
export interface DispatchPageEvent {
  type: 'SurveyDispatchPage';
  detail: { dispatchId: string; surveyId: string };
}
export interface InvitationQueuedEvent {
  type: 'SurveyInvitationQueued';
  detail: { invitationId: string; customerId: string; surveyId: string; dispatchId: string };
}
