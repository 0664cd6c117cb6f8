import type { Principal } from '../access/index.js';

/** Who acts and for what purpose: every audited call carries one. */
export interface AuditContext {
  actor: Principal;
  purpose: string;
}

/** What a service asks to record. `subjectHash` fixes the content of the target (INT-3). */
export interface AuditDraft {
  action: string;
  target: { type: string; id: string };
  subjectHash?: string;
}

/** One link of a chain. `hash` covers every other field, `prevHash` included. */
export interface AuditEntry {
  chain: number;
  seq: number;
  at: string;
  actor: string;
  role: string;
  purpose: string;
  action: string;
  targetType: string;
  targetId: string;
  requestId: string;
  subjectHash?: string;
  prevHash: string;
  hash: string;
}

export interface VerificationFailure {
  chain: number;
  seq: number;
  /** `hash` (entry altered), `link` (chain broken), `missing` (entry removed), `subject` (target altered). */
  reason: 'hash' | 'link' | 'missing' | 'subject';
  detail: string;
  target?: { type: string; id: string };
}

export interface VerificationReport {
  from: string;
  to: string;
  entriesChecked: number;
  subjectsChecked: number;
  ok: boolean;
  /** The first failure found, by time; absent when `ok`. */
  firstFailure?: VerificationFailure;
}
