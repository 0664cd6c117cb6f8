import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditEntry, VerificationFailure } from './types.js';

export const GENESIS_MAC = '0'.repeat(64);
export const CURRENT_FORMAT = 'kehu-audit-2';
const LEGACY_FORMAT = 'kehu-audit-1';

/** Every field but the MAC itself, in a fixed order, as the bytes that are MACed. */
const sealedFields = (format: string, entry: Omit<AuditEntry, 'mac' | 'format'>): string =>
  JSON.stringify([
    format,
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
    entry.prevMac,
  ]);

/** HMAC-SHA256 of an entry under the chain key (`kehu-audit-2`). */
export function entryMac(key: Buffer, entry: Omit<AuditEntry, 'mac'>): string {
  return createHmac('sha256', key).update(sealedFields(CURRENT_FORMAT, entry), 'utf8').digest('hex');
}

/** The plain SHA-256 of entries written before keyed chains (`kehu-audit-1`). */
export function legacyEntryHash(entry: Omit<AuditEntry, 'mac'>): string {
  return createHash('sha256').update(sealedFields(LEGACY_FORMAT, entry), 'utf8').digest('hex');
}

const sameHex = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Whether the entry's MAC (or legacy hash) matches its content. */
export function sealIntact(key: Buffer, entry: AuditEntry): boolean {
  const expected = entry.format === CURRENT_FORMAT ? entryMac(key, entry) : legacyEntryHash(entry);
  return sameHex(expected, entry.mac);
}

/** The next link after `head` (or the chain's first link), MACed under `key`. */
export function link(
  key: Buffer,
  head: Pick<AuditEntry, 'seq' | 'mac'> | undefined,
  entry: Omit<AuditEntry, 'seq' | 'prevMac' | 'mac' | 'format'>,
): AuditEntry {
  const unsealed = { ...entry, format: CURRENT_FORMAT, seq: (head?.seq ?? 0) + 1, prevMac: head?.mac ?? GENESIS_MAC } as const;
  return { ...unsealed, mac: entryMac(key, unsealed) };
}

/**
 * Checks consecutive entries of one chain: each MAC matches its content, each links to
 * the one before, no sequence number is skipped, and no unkeyed entry follows a keyed one
 * (rewriting an entry as "legacy" would otherwise dodge the key). `before` is the entry
 * preceding the first (absent when the range starts at the chain's beginning).
 */
export function verifyLinks(key: Buffer, entries: readonly AuditEntry[], before?: AuditEntry): VerificationFailure | undefined {
  let previous = before;
  for (const entry of entries) {
    const expectedSeq = (previous?.seq ?? entry.seq - 1) + 1;
    if (entry.seq !== expectedSeq) {
      return { chain: entry.chain, seq: expectedSeq, reason: 'missing', detail: `Entry ${expectedSeq} of chain ${entry.chain} is missing.` };
    }
    if (!sealIntact(key, entry)) {
      return { chain: entry.chain, seq: entry.seq, reason: 'hash', detail: `Entry ${entry.seq} of chain ${entry.chain} was altered.` };
    }
    if (previous?.format === CURRENT_FORMAT && entry.format !== CURRENT_FORMAT) {
      return {
        chain: entry.chain,
        seq: entry.seq,
        reason: 'format',
        detail: `Entry ${entry.seq} of chain ${entry.chain} is unkeyed although entry ${previous.seq} before it is keyed.`,
      };
    }
    const expectedPrev = previous ? previous.mac : entry.seq === 1 ? GENESIS_MAC : entry.prevMac;
    if (entry.prevMac !== expectedPrev) {
      return { chain: entry.chain, seq: entry.seq, reason: 'link', detail: `Entry ${entry.seq} of chain ${entry.chain} does not follow entry ${entry.seq - 1}.` };
    }
    previous = entry;
  }
  return undefined;
}
