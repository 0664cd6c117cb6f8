import type { AuditContext } from '../../platform/audit/index.js';
import type { Write } from '../../platform/ports/index.js';
import type { Jurisdiction } from './deadlines.js';

export const requestTypes = ['access', 'rectify', 'erase', 'restrict', 'object'] as const;
export type RequestType = (typeof requestTypes)[number];

export const requestStatuses = ['received', 'identity-verified', 'in-progress', 'completed', 'rejected'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const requestActions = ['verify-identity', 'approve', 'reject', 'complete'] as const;
export type RequestAction = (typeof requestActions)[number];

export interface RequestTransition {
  action: RequestAction;
  at: string;
  actor: string;
  role: string;
  reason?: string;
}

/** A data-subject request as the API shows it (DSR-1 to DSR-5). */
export interface SubjectRequest {
  id: string;
  customerId: string;
  type: RequestType;
  jurisdiction: Jurisdiction;
  status: RequestStatus;
  channel: string;
  receivedAt: string;
  dueAt: string;
  /** For `object`: the purposes objected to. */
  purposes?: string[];
  /** What the customer asked, in their words (sealed at rest). */
  details?: string;
  rejectionReason?: string;
  completedAt?: string;
  /** How a completed request ended, in words the customer is shown (e.g. what a legal hold kept). */
  outcome?: string;
  transitions: RequestTransition[];
  version: number;
  /** Set when the sealed details failed their integrity check: the request stands, its details are not shown. */
  integrity?: 'failed';
}

/**
 * Where an approved erasure is filed as unfinished, written in the approval's own
 * transaction. The erasure context provides it; requests only names what it needs, so the
 * two contexts do not import each other.
 */
export interface ErasureTracking {
  approved(input: { requestId: string; customerId: string; at: string }): Write;
}

/**
 * A customer's complaints as the access export shows them. The complaints context provides
 * it; requests only names what it reads.
 */
export interface CustomerComplaints {
  allOfCustomer(customerId: string, context: AuditContext, max: number): Promise<object[]>;
}

/**
 * A customer's survey invitations and their answers as the access export shows them. The
 * surveys context provides it; requests only names what it reads.
 */
export interface CustomerSurveyAnswers {
  allOfCustomer(customerId: string, context: AuditContext, max: number): Promise<object[]>;
}
