import type { HoldCategory } from '../customers/index.js';

/** A record of what was destroyed, for whom (pseudonymously), why, how, by whom and when (RET-3). */
export interface DestructionCertificate {
  id: string;
  subjectRef: string;
  categories: string[];
  reason: 'request' | 'expiry' | 'business-end';
  method: string;
  requestId?: string;
  /** What legal holds kept back from this erasure, and until when (DSR-3). */
  retained?: Array<{ categories: HoldCategory[]; reason: string; until?: string }>;
  actor: string;
  at: string;
}

export type ErasureCause = { requestId: string } | { sweepId: string };

/** How far an erasure got: each step is done once `step` names it. */
export const erasureSteps = ['approved', 'hidden', 'requests-closed', 'items-deleted', 'key-destroyed', 'certified'] as const;
export type ErasureStep = (typeof erasureSteps)[number];

/**
 * An erasure that has not closed yet: from approval (or a sweep's hiding the record) until
 * its request is closed. Ids and times only.
 */
export interface ErasureRun {
  /** The erasure's reference: its request id, or `<sweepId>:<customerId>`. */
  id: string;
  customerId: string;
  cause: ErasureCause;
  startedAt: string;
  step: ErasureStep;
  /** When the erasure last got further (or was last handed on again). */
  progressAt: string;
  /** How often it was handed on again, by the resume job or an operator's retry. */
  resumes: number;
  lastResume?: { at: string; by: string };
}
