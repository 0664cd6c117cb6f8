import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AuditCheckpoint, ChainHead } from './types.js';

const FORMAT = 'kehu-audit-checkpoint-1';

const checkpointMac = (key: Buffer, at: string, heads: readonly ChainHead[]): string =>
  createHmac('sha256', key)
    .update(JSON.stringify([FORMAT, at, heads.map((h) => [h.chain, h.seq, h.mac])]), 'utf8')
    .digest('hex');

/** The document an anchor keeps: every chain's head at `at`, MACed under the checkpoint key. */
export function signCheckpoint(key: Buffer, at: string, heads: ChainHead[]): string {
  const checkpoint: AuditCheckpoint = { format: FORMAT, at, heads, mac: checkpointMac(key, at, heads) };
  return JSON.stringify(checkpoint);
}

/**
 * The checkpoint in `document` if it is one this deployment signed for time `at` (the
 * anchor's name for it: an old checkpoint copied under a newer name does not pass), else
 * undefined.
 */
export function openCheckpoint(key: Buffer, at: string, document: string): AuditCheckpoint | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  const candidate = parsed as Partial<AuditCheckpoint> | null;
  if (!candidate || candidate.format !== FORMAT || candidate.at !== at || typeof candidate.mac !== 'string' || !Array.isArray(candidate.heads)) return undefined;
  const heads = candidate.heads as unknown[];
  const wellFormed = heads.every(
    (h) => !!h && typeof h === 'object' && Number.isInteger((h as ChainHead).chain) && Number.isInteger((h as ChainHead).seq) && typeof (h as ChainHead).mac === 'string',
  );
  if (!wellFormed) return undefined;
  const expected = Buffer.from(checkpointMac(key, at, heads as ChainHead[]), 'utf8');
  const given = Buffer.from(candidate.mac, 'utf8');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return candidate as AuditCheckpoint;
}
