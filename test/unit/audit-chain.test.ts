import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AuditKeys,
  CURRENT_FORMAT,
  entryMac,
  GENESIS_MAC,
  legacyEntryHash,
  link,
  signCheckpoint,
  verifyLinks,
  type AuditEntry,
  type AuditRepository,
  type ChainHead,
} from '../../shared/platform/audit/index.js';
import { AuditVerifier } from '../../shared/platform/audit/verifier.js';
import { ValidationError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { AuditAnchor } from '../../shared/platform/ports/index.js';

const KEY = Buffer.alloc(32, 1);
const draft = (i: number, chain = 3) => ({
  chain,
  at: new Date(Date.parse('2026-11-23T10:00:00.000Z') + i * 1000).toISOString(),
  actor: 'agent-1',
  role: 'agent',
  purpose: 'service',
  action: 'customer.read',
  targetType: 'customer',
  targetId: `c-${i}`,
  requestId: `r-${i}`,
});

function chainOf(length: number, chain = 3, key: Buffer = KEY): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < length; i++) entries.push(link(key, entries[i - 1], draft(i, chain)));
  return entries;
}

/** How the unkeyed chain of kehu-audit-1 sealed an entry: anyone can recompute it. */
const plainSha256 = (entry: Omit<AuditEntry, 'mac'>) =>
  createHash('sha256')
    .update(
      JSON.stringify(['kehu-audit-1', entry.chain, entry.seq, entry.at, entry.actor, entry.role, entry.purpose, entry.action, entry.targetType, entry.targetId, entry.requestId, entry.subjectHash ?? null, entry.prevMac]),
      'utf8',
    )
    .digest('hex');

/** Rewrites entries from `from` on as someone who can write the table but lacks the key would. */
function rewriteFrom(entries: AuditEntry[], from: number, change: Partial<AuditEntry>, seal: (e: Omit<AuditEntry, 'mac'>) => string): AuditEntry[] {
  const out = entries.map((e) => ({ ...e }));
  for (let i = from; i < out.length; i++) {
    const unsealed = { ...out[i]!, ...(i === from ? change : {}), prevMac: i === 0 ? GENESIS_MAC : out[i - 1]!.mac };
    out[i] = { ...unsealed, mac: seal(unsealed) };
  }
  return out;
}

describe('audit chain', () => {
  it('links entries by sequence number and the MAC of the one before', () => {
    const [first, second] = chainOf(2);
    expect(first).toMatchObject({ format: CURRENT_FORMAT, seq: 1, prevMac: GENESIS_MAC });
    expect(second).toMatchObject({ seq: 2, prevMac: first!.mac });
    expect(first!.mac).toMatch(/^[0-9a-f]{64}$/);
    expect(entryMac(KEY, first!)).toBe(first!.mac);
    // Keyed: the same entry under another key seals differently.
    expect(entryMac(Buffer.alloc(32, 2), first!)).not.toBe(first!.mac);
  });

  it('verifies a whole chain and any slice given the entry before it', () => {
    const entries = chainOf(6);
    expect(verifyLinks(KEY, entries)).toBeUndefined();
    expect(verifyLinks(KEY, entries.slice(3), entries[2])).toBeUndefined();
  });

  it('detects an entry edited and sealed again with plain hashes, the later ones recomputed too', () => {
    const entries = chainOf(5);
    // What defeated the unkeyed chain: edit, then recompute the hash of it and of every later entry.
    const rewritten = rewriteFrom(entries, 2, { actor: 'nobody' }, plainSha256);
    expect(verifyLinks(KEY, rewritten)).toMatchObject({ chain: 3, seq: 3, reason: 'hash' });
    // Nor does a guessed key help.
    const guessed = rewriteFrom(entries, 2, { actor: 'nobody' }, (e) => entryMac(Buffer.alloc(32, 9), e));
    expect(verifyLinks(KEY, guessed)).toMatchObject({ seq: 3, reason: 'hash' });
  });

  it('refuses an unkeyed entry after keyed ones: a rewrite cannot pass itself off as legacy', () => {
    const entries = chainOf(5);
    const downgraded = rewriteFrom(entries, 2, { format: 'kehu-audit-1', actor: 'nobody' }, legacyEntryHash);
    expect(verifyLinks(KEY, downgraded)).toMatchObject({ seq: 3, reason: 'format' });
  });

  it('still verifies entries written before chains were keyed, and keyed ones after them', () => {
    const legacy: AuditEntry[] = [];
    for (let i = 0; i < 3; i++) {
      const unsealed = { ...draft(i), format: 'kehu-audit-1' as const, seq: i + 1, prevMac: legacy[i - 1]?.mac ?? GENESIS_MAC };
      legacy.push({ ...unsealed, mac: legacyEntryHash(unsealed) });
    }
    const next = link(KEY, legacy[2], draft(3));
    expect(verifyLinks(KEY, [...legacy, next])).toBeUndefined();
    // A legacy entry altered without recomputing its hash is still caught.
    expect(verifyLinks(KEY, [legacy[0]!, { ...legacy[1]!, actor: 'x' }])).toMatchObject({ seq: 2, reason: 'hash' });
  });

  it('detects a removed entry and a broken link', () => {
    const entries = chainOf(4);
    expect(verifyLinks(KEY, [entries[0]!, entries[2]!, entries[3]!])).toMatchObject({ seq: 2, reason: 'missing' });
    const orphan = { ...entries[0]!, prevMac: 'f'.repeat(64) };
    expect(verifyLinks(KEY, [{ ...orphan, mac: entryMac(KEY, orphan) }])).toMatchObject({ seq: 1, reason: 'link' });
  });
});

/** The repository's reads over chains held in memory. */
function memoryRepository(chains: Map<number, AuditEntry[]>): AuditRepository {
  const of = (chain: number) => chains.get(chain) ?? [];
  return {
    head: async (chain: number) => of(chain).at(-1),
    windowBounds: async (chain: number, from: string, to: string) => {
      const inWindow = of(chain).filter((e) => e.at >= from && e.at <= `${to}~`);
      return inWindow.length ? { first: inWindow[0]!.seq, last: inWindow.at(-1)!.seq } : undefined;
    },
    chainRange: async (chain: number, fromSeq: number, toSeq: number) => of(chain).filter((e) => e.seq >= fromSeq && e.seq <= toSeq),
  } as unknown as AuditRepository;
}

class MemoryAnchor implements AuditAnchor {
  readonly kept: Array<{ at: string; document: string }> = [];
  async append(at: string, document: string) {
    this.kept.push({ at, document });
  }
  async latest() {
    return this.kept.at(-1);
  }
}

describe('audit verification against checkpoints', () => {
  const window = { from: '2026-11-23T00:00:00.000Z', to: '2026-11-24T00:00:00.000Z' };
  const keyService = new LocalKeyService(Buffer.alloc(32, 5));
  const setUp = async (lengths: number[]) => {
    const keys = new AuditKeys(keyService);
    const chainKey = await keys.key('chain');
    const chains = new Map(lengths.map((length, chain) => [chain, chainOf(length, chain, chainKey)]));
    const anchor = new MemoryAnchor();
    const checkpoint = async (at = '2026-11-23T12:00:00.000Z') => {
      const heads: ChainHead[] = [...chains.values()].map((entries) => entries.at(-1)!).map(({ chain, seq, mac }) => ({ chain, seq, mac }));
      await anchor.append(at, signCheckpoint(await keys.key('checkpoint'), at, heads));
    };
    const verifier = new AuditVerifier(memoryRepository(chains), keys, anchor, { chains: lengths.length, maxVerifyDays: 31, verifyPageEntries: 1000 });
    return { keys, chainKey, chains, anchor, checkpoint, verifier };
  };

  it('passes an untouched trail and says which checkpoint it compared the heads with', async () => {
    const { checkpoint, verifier } = await setUp([5, 3]);
    await checkpoint();
    expect(await verifier.verify(window)).toMatchObject({ ok: true, entriesChecked: 8, legacyEntries: 0, checkpoint: { at: '2026-11-23T12:00:00.000Z', chains: 2 } });
  });

  it('detects the newest entries of a chain removed after a checkpoint', async () => {
    const { chains, checkpoint, verifier } = await setUp([5, 4]);
    await checkpoint();
    chains.set(1, chains.get(1)!.slice(0, 2));
    // What every chain shows by itself is consistent: only the checkpoint knows chain 1 went further.
    expect(verifyLinks(await new AuditKeys(keyService).key('chain'), chains.get(1)!)).toBeUndefined();
    expect((await verifier.verify(window)).firstFailure).toMatchObject({ chain: 1, seq: 4, reason: 'truncated' });
  });

  it('detects a chain cut back below a checkpoint and written anew up to the same length', async () => {
    const { chains, chainKey, checkpoint, verifier } = await setUp([4]);
    await checkpoint();
    // Someone with the key's use, after the checkpoint: the old head is gone, a new one stands in its place.
    const replaced = chains.get(0)!.slice(0, 2);
    replaced.push(link(chainKey, replaced[1], { ...draft(8, 0), actor: 'other' }));
    replaced.push(link(chainKey, replaced[2], draft(9, 0)));
    chains.set(0, replaced);
    expect((await verifier.verify(window)).firstFailure).toMatchObject({ chain: 0, seq: 4, reason: 'truncated' });
  });

  it('refuses a forged checkpoint, and a genuine old one filed under a newer time', async () => {
    const { anchor, checkpoint, verifier } = await setUp([3]);
    await checkpoint();
    const genuine = anchor.kept[0]!;
    // Lowered head, MAC recomputed under a key that is not this deployment's.
    const forged = signCheckpoint(Buffer.alloc(32, 7), '2026-11-23T13:00:00.000Z', [{ chain: 0, seq: 1, mac: 'a'.repeat(64) }]);
    await anchor.append('2026-11-23T13:00:00.000Z', forged);
    expect((await verifier.verify(window)).firstFailure).toMatchObject({ reason: 'checkpoint' });
    await anchor.append('2026-11-23T14:00:00.000Z', genuine.document);
    expect((await verifier.verify(window)).firstFailure).toMatchObject({ reason: 'checkpoint' });
  });

  it('pages the work: at most the budget per call, a cursor to go on, every entry checked once', async () => {
    const { verifier } = await setUp([700, 650, 900]);
    let cursor: string | undefined;
    const counts: number[] = [];
    do {
      const report = await verifier.verify(window, {}, cursor);
      expect(report.ok).toBe(true);
      counts.push(report.entriesChecked);
      cursor = report.next;
    } while (cursor);
    expect(counts).toEqual([1000, 1000, 250]);
  });

  it('refuses a cursor made up, altered, or issued for another window', async () => {
    const { verifier } = await setUp([700, 650, 900]);
    const { next } = await verifier.verify(window);
    expect(next).toBeDefined();
    const [payload, mac] = next!.split('.');
    const altered = `${Buffer.from(JSON.stringify([2, 1, 900])).toString('base64url')}.${mac}`;
    for (const cursor of ['e30', altered, `${payload}.${'A'.repeat(22)}`]) {
      await expect(verifier.verify(window, {}, cursor)).rejects.toMatchObject({ field: 'cursor' });
    }
    await expect(verifier.verify({ ...window, to: '2026-11-25T00:00:00.000Z' }, {}, next)).rejects.toBeInstanceOf(ValidationError);
  });
});
