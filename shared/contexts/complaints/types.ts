import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { UnavailableError } from '../../platform/errors/index.js';
import type { Clock, DomainEvent, EventPublisher, IntegrityFailureHandler, Notifier, Store, Write } from '../../platform/ports/index.js';
import type { CustomerService } from '../customers/index.js';
import type { ComplaintRepository } from './repository.js';
import type { BusinessCalendar } from '../../platform/calendar/index.js';

/** Where a complaint came in (CMP-1). */
export const complaintChannels = ['phone', 'online-form', 'email', 'in-person', 'social', 'letter', 'regulator', 'other'] as const;
export type ComplaintChannel = (typeof complaintChannels)[number];

export const complaintSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type ComplaintSeverity = (typeof complaintSeverities)[number];

/** The languages a customer is written to in. */
export const complaintLanguages = ['zh-CN', 'en'] as const;
export type ComplaintLanguage = (typeof complaintLanguages)[number];

/** CMP-2: the states of a complaint, in workflow order. */
export const complaintStatuses = [
  'received',
  'acknowledged',
  'assigned',
  'in-progress',
  'waiting-on-customer',
  'resolved',
  'followed-up',
  'closed',
] as const;
export type ComplaintStatus = (typeof complaintStatuses)[number];

/** Actions staff take (`escalate` is the schedule's alone). */
export const complaintActions = ['acknowledge', 'assign', 'start', 'wait', 'resume', 'resolve', 'follow-up', 'close', 'reopen'] as const;
export type ComplaintAction = (typeof complaintActions)[number];

/** The time limits a complaint is held to (CMP-3), like Zammad's escalation times or Salesforce's case milestones. */
export const milestoneNames = ['acknowledge', 'firstResponse', 'resolve', 'followUp'] as const;
export type MilestoneName = (typeof milestoneNames)[number];

/**
 * - `pending`: its clock has not started (follow-up before resolution);
 * - `active`: running, due at `dueAt`;
 * - `paused`: the complaint waits on the customer; `dueAt` moves on by the paused business time at resume;
 * - `met`: done by `dueAt`; `missed`: `dueAt` passed first (it stays missed when done later, with `doneAt`).
 */
export const milestoneStates = ['pending', 'active', 'paused', 'met', 'missed'] as const;
export type MilestoneState = (typeof milestoneStates)[number];

export interface Milestone {
  state: MilestoneState;
  dueAt?: string;
  doneAt?: string;
}

export type Milestones = Record<MilestoneName, Milestone>;

/** Escalation levels (CMP-3): 1 the assignee, 2 the department lead, 3 management. */
export const escalationTargets = ['assignee', 'department-lead', 'management'] as const;
export type EscalationTarget = (typeof escalationTargets)[number];

export interface EscalationStep {
  level: 1 | 2 | 3;
  target: EscalationTarget;
  at: string;
  /** The milestone whose missed deadline started it. */
  milestone: MilestoneName;
  /** When its announcement was sent to the people of its level (set once, by markAnnounced). */
  announcedAt?: string;
  /** When its event was last published; an unannounced step is published again 10 minutes later. */
  publishedAt?: string;
}

export const followUpOutcomes = ['satisfied', 'not-satisfied', 'unreachable'] as const;
export type FollowUpOutcome = (typeof followUpOutcomes)[number];

/** One step of a complaint's history: who did what, when, and why (the why sealed at rest). */
export interface ComplaintHistoryEntry {
  action: ComplaintAction | 'escalate' | 'receive';
  at: string;
  actor: string;
  role: string;
  from?: ComplaintStatus;
  to?: ComplaintStatus;
  reason?: string;
}

/** A message to the customer about their complaint, and whether it went out. */
export interface NoticeState {
  kind: 'acknowledgement' | 'resolution';
  state: 'sent' | 'pending' | 'failed';
  attempts: number;
  lastAttemptAt?: string;
}

/** A complaint as the API shows it to staff. */
export interface Complaint {
  id: string;
  /** Human reference, e.g. `TS-2026-000123`. */
  reference: string;
  customerId: string;
  channel: ComplaintChannel;
  category: string;
  severity: ComplaintSeverity;
  language: ComplaintLanguage;
  /** Privacy complaints go to the data-protection officer. */
  privacy: boolean;
  subject: string;
  description: string;
  desiredOutcome?: string;
  receivedBy: string;
  receivedAt: string;
  status: ComplaintStatus;
  department?: string;
  assignee?: string;
  milestones: Milestones;
  resolution?: { summary: string; rootCause: string; at: string };
  followUp?: { outcome: FollowUpOutcome; rating?: number; note?: string; at: string };
  reopenCount: number;
  /** When the complaint last entered waiting-on-customer, while it waits. */
  pausedSince?: string;
  escalations: EscalationStep[];
  notices: NoticeState[];
  history: ComplaintHistoryEntry[];
  version: number;
  integrity?: 'failed';
}

/** What the customer sees of their own complaint: no staff names, no internal notes. */
export interface CustomerComplaint {
  id: string;
  reference: string;
  channel: ComplaintChannel;
  category: string;
  severity: ComplaintSeverity;
  subject: string;
  description: string;
  desiredOutcome?: string;
  receivedAt: string;
  status: ComplaintStatus;
  /** When they will hear back (the first-response deadline) while it runs. */
  respondBy?: string;
  resolution?: { summary: string; at: string };
  followUp?: { outcome: FollowUpOutcome; rating?: number; at: string };
}

/** A complaint category; `privacy` ones are routed to the DPO. */
export interface ComplaintCategory {
  code: string;
  label: { 'zh-CN': string; en: string };
  privacy?: boolean;
}

/** Limits in business minutes of the calendar; `followUp` counts from resolution. */
export interface ComplaintLimits {
  acknowledge: number;
  firstResponse: number;
  resolve: number;
  followUp: number;
}

/** One policy: limits for a severity, optionally narrowed to a category (the narrower wins). */
export interface ComplaintPolicyRule {
  severity: ComplaintSeverity;
  category?: string;
  limits: ComplaintLimits;
}

/** `GET/PUT /v1/complaint-policies`: one document. */
export interface ComplaintPolicies {
  calendar: BusinessCalendar;
  categories: ComplaintCategory[];
  /** The departments a complaint may be routed to; `escalationContacts.departmentLeads` names only these. */
  departments: Array<{ code: string; label: { 'zh-CN': string; en: string } }>;
  /** The root causes a resolution may name; the report counts only these. */
  rootCauses: Array<{ code: string; label: { 'zh-CN': string; en: string } }>;
  rules: ComplaintPolicyRule[];
  /** Business minutes after a missed deadline before each level is reached (level 1 at 0). */
  escalation: { departmentLeadAfter: number; managementAfter: number };
  /** Who each escalation level is announced to: addresses of staff, not customers. */
  escalationContacts: { departmentLeads: Record<string, string>; management?: string };
  /** Calendar days after resolution (or closing) within which a complaint may be reopened. */
  reopenWindowDays: number;
  version: number;
  updatedAt?: string;
  updatedBy?: string;
}

/**
 * The report aggregates a complaint's change adds to, written in the same transaction as
 * the change (stats.ts). Ids and codes only; they outlive the customer's erasure.
 */
export interface ComplaintStatsWriter {
  /**
   * `timeZone`: the calendar's (policies.calendar.timeZone), whose local day `at` is counted on
   * (the default calendar's otherwise). `known`: the policies in force, whose department and
   * root-cause lists bound the codes counted (the default policies' lists otherwise).
   */
  writesFor(
    previous: Complaint | undefined,
    next: Complaint,
    at: Date,
    timeZone?: string,
    known?: Pick<ComplaintPolicies, 'departments' | 'rootCauses'>,
  ): Write[];
}

/** What the complaint service is built from (shared/runtime/services/complaints.ts). */
export interface ComplaintServiceDeps {
  repository: ComplaintRepository;
  store: Store;
  keys: DataKeyRing;
  clock: Clock;
  audit: AuditTrail;
  events: EventPublisher;
  customers: CustomerService;
  policies: { current(): Promise<ComplaintPolicies> };
  notifier: Notifier;
  stats: ComplaintStatsWriter;
  /** A notice to the customer could not be sent (counted as NotifierErrors); it is retried later. */
  onUndelivered: (error: UnavailableError) => void;
  onPublishFailure: (error: unknown, events: DomainEvent[]) => void;
  onIntegrityFailure: IntegrityFailureHandler;
  /** How long an Idempotency-Key of an intake is remembered. */
  idempotencyTtlSeconds?: number;
  /** The risk flags a complaint's change raises (reopened twice, followed up unsatisfied), written in its own transaction. */
  risk?: { writesForComplaint(previous: Complaint | undefined, next: Complaint, at: string): Write[] };
  /** Told after a complaint is closed (a survey it triggers); best effort: a failure is logged, the close stands. */
  onClosed?: (complaint: Complaint, context: AuditContext) => Promise<void>;
}
