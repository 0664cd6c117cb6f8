import { createHash } from 'node:crypto';
import type { AuditEntry, VerificationFailure } from './types.js';

export const GENESIS_HASH = '0'.repeat(64);
const FORMAT = 'kehu-audit-1';

/** SHA-256 over every field but the hash itself, in a fixed order. */
export function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  const fields = [
    FORMAT,
    entry.chain,
    entry.seq,
    entry.at,
    entry.actor,
    entry.role,
    entry.purpose,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.requestId,
    entry.subjectHash ?? null,
    entry.prevHash,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/** The next link after `head` (or the chain's first link). */
export function link(head: Pick<AuditEntry, 'seq' | 'hash'> | undefined, entry: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>): AuditEntry {
  const unsealed = { ...entry, seq: (head?.seq ?? 0) + 1, prevHash: head?.hash ?? GENESIS_HASH };
  return { ...unsealed, hash: entryHash(unsealed) };
}

/**
 * Checks consecutive entries of one chain: each hash matches its content, each links to
 * the one before, and no sequence number is skipped. `before` is the entry preceding the
 * first (absent when the range starts at the chain's beginning).
 */
export function verifyLinks(entries: readonly AuditEntry[], before?: AuditEntry): VerificationFailure | undefined {
  let previous = before;
  for (const entry of entries) {
    const expectedSeq = (previous?.seq ?? entry.seq - 1) + 1;
    if (entry.seq !== expectedSeq) {
      return { chain: entry.chain, seq: expectedSeq, reason: 'missing', detail: `Entry ${expectedSeq} of chain ${entry.chain} is missing.` };
    }
    if (entryHash(entry) !== entry.hash) {
      return { chain: entry.chain, seq: entry.seq, reason: 'hash', detail: `Entry ${entry.seq} of chain ${entry.chain} was altered.` };
    }
    const expectedPrev = previous ? previous.hash : entry.seq === 1 ? GENESIS_HASH : entry.prevHash;
    if (entry.prevHash !== expectedPrev) {
      return { chain: entry.chain, seq: entry.seq, reason: 'link', detail: `Entry ${entry.seq} of chain ${entry.chain} does not follow entry ${entry.seq - 1}.` };
    }
    previous = entry;
  }
  return undefined;
}
