import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { Clock, Store, Write } from '../../platform/ports/index.js';
import type { Complaint, CreateComplaintInput } from '../complaints/index.js';
import type { RiskFlagRepository } from './repository.js';

/**
 * Why a customer is flagged for follow-up (SAT-3, AN-3): a low survey score, a complaint
 * reopened twice or more, a complaint whose follow-up found the customer not satisfied.
 */
export const riskReasons = ['low-nps', 'low-csat', 'complaint-reopened', 'complaint-unsatisfied'] as const;
export type RiskReason = (typeof riskReasons)[number];

export const riskStatuses = ['open', 'assigned', 'closed'] as const;
export type RiskStatus = (typeof riskStatuses)[number];

/** What a call back can end in. */
export const riskOutcomes = ['resolved', 'complaint-opened', 'unreachable', 'declined'] as const;
export type RiskOutcome = (typeof riskOutcomes)[number];

/** Where a flag came from: the answer (ids, question and score) or the complaint that raised it. */
export type RiskSource =
  | { kind: 'survey'; surveyId: string; wave: string; invitationId: string; questionId: string; score: number }
  | { kind: 'complaint'; complaintId: string; reference: string };

/**
 * A risk flag, in the customer's partition (erased with it); listed by status, by reason and
 * by assignee through sharded indexes (family `riskFlags`), oldest first.
 */
export interface RiskFlag {
  id: string;
  customerId: string;
  reason: RiskReason;
  source: RiskSource;
  status: RiskStatus;
  assignee?: string;
  raisedAt: string;
  assignedAt?: string;
  closedAt?: string;
  closedBy?: string;
  outcome?: RiskOutcome;
  /** The closing note: free text, sealed under the customer's key when stored. */
  note?: string;
  /** The complaint opened by the closing call, when it opened one. */
  complaintId?: string;
  version: number;
  /** `failed`: the sealed note failed its integrity check and is not shown. */
  integrity?: 'failed';
}

/** What a flag is raised with; the service adds id, status and indexes. */
export interface RaiseRiskFlag {
  customerId: string;
  reason: RiskReason;
  source: RiskSource;
  assignee?: string;
  at: string;
}

/**
 * What other contexts use to raise flags inside their own transactions (an answer's
 * submission, a complaint's change): the writes of a new flag, nothing read.
 */
export interface RiskFlagWriter {
  raiseWrites(input: RaiseRiskFlag): Write[];
}

/** What opening a complaint from a closing call needs of the complaints context. */
export interface RiskFlagComplaints {
  create(input: CreateComplaintInput, context: AuditContext, idempotencyKey?: string): Promise<{ complaint: Complaint; replayed: boolean }>;
}

export interface RiskFlagServiceDeps {
  repository: RiskFlagRepository;
  store: Store;
  keys: DataKeyRing;
  clock: Clock;
  audit: AuditTrail;
  /** Opens the complaint a closing call asks for (idempotent by key). */
  complaints: RiskFlagComplaints;
}
