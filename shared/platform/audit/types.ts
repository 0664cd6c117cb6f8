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

/**
 * How an entry is sealed. `kehu-audit-2`: HMAC-SHA256 under the audit key (from the key
 * service, never in the table). `kehu-audit-1` (entries written before it): a plain SHA-256,
 * which anyone who can write the table can recompute; verified, but reported as legacy.
 */
export type AuditFormat = 'kehu-audit-1' | 'kehu-audit-2';

/** One link of a chain. `mac` covers every other field, `prevMac` included. */
export interface AuditEntry {
  format: AuditFormat;
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
  /** The `mac` of the entry before (64 zeros for the first). */
  prevMac: string;
  /** HMAC-SHA256 (hex) under the audit key; for `kehu-audit-1` the entry's plain SHA-256. */
  mac: string;
}

/** Where one chain ended when a checkpoint was taken. */
export interface ChainHead {
  chain: number;
  seq: number;
  mac: string;
}

/** Every chain's head at one moment, MACed under the checkpoint key. */
export interface AuditCheckpoint {
  format: 'kehu-audit-checkpoint-1';
  at: string;
  heads: ChainHead[];
  mac: string;
}

export type VerificationFailureReason =
  | 'hash'
  | 'link'
  | 'missing'
  | 'subject'
  | 'format'
  | 'truncated'
  | 'checkpoint';

export interface VerificationFailure {
  /** 0 and 0 when the failure is the checkpoint itself (`checkpoint`). */
  chain: number;
  seq: number;
  /**
   * `hash` (entry altered: its MAC does not match), `link` (chain broken), `missing`
   * (entry removed), `subject` (target altered), `format` (an unkeyed entry after keyed
   * ones), `truncated` (a chain ends before its checkpointed head, or that head differs),
   * `checkpoint` (the latest checkpoint is not one this deployment signed).
   */
  reason: VerificationFailureReason;
  detail: string;
  target?: { type: string; id: string };
}

export interface VerificationReport {
  from: string;
  to: string;
  /** Entries checked by this call. */
  entriesChecked: number;
  subjectsChecked: number;
  /** Of the entries checked, those in the unkeyed legacy format (`kehu-audit-1`). */
  legacyEntries: number;
  /** No failure found so far; the verification is complete only once `next` is absent. */
  ok: boolean;
  /** The latest checkpoint the chain heads were compared with (first call only). */
  checkpoint?: { at: string; chains: number };
  /** The first failure found; absent when `ok`. */
  firstFailure?: VerificationFailure;
  /** Send back as `cursor` (with the same window) to continue; absent when done or failed. */
  next?: string;
}
