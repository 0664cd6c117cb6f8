import { randomInt } from 'node:crypto';
import { UnavailableError } from '../errors/index.js';
import { ConditionFailedError, type AuditAnchor, type Clock, type QueryPage, type Store, type Write } from '../ports/index.js';
import { link } from './chain.js';
import { openCheckpoint, signCheckpoint } from './checkpoints.js';
import type { AuditKeys } from './keys.js';
import type { AuditRepository } from './repository.js';
import type { AuditContext, AuditDraft, AuditEntry, ChainHead, VerificationReport } from './types.js';
import { AuditVerifier, type SubjectResolver } from './verifier.js';

export interface AuditTrailOptions {
  /** Parallel chains; appends pick one at random, so they rarely wait on each other. */
  chains: number;
  /** Longest window one verification may cover. */
  maxVerifyDays: number;
  /** Most entries one verification call checks before it answers a `next` cursor. */
  verifyPageEntries: number;
}

export const defaultAuditOptions: AuditTrailOptions = { chains: 64, maxVerifyDays: 31, verifyPageEntries: 5_000 };

export interface AuditTrailDependencies {
  repository: AuditRepository;
  store: Store;
  clock: Clock;
  keys: AuditKeys;
  /** Where checkpoints of the chain heads are kept; without one, truncation goes unseen. */
  anchor?: AuditAnchor;
}

const APPEND_ATTEMPTS = 12;
const HEADS_PARALLEL = 8;

/**
 * The audit trail (SEC-4, INT-3). Every entry is written in the same transaction as the
 * change it records, or before the read it records is answered: if it cannot be written,
 * the action does not happen.
 */
export class AuditTrail {
  /** Heads this process appended last, so an append needs no read unless another process raced it. */
  private readonly heads = new Map<number, Pick<AuditEntry, 'seq' | 'mac'>>();
  /**
   * Chains this process is appending to right now, each with the end of its queue: another
   * request picks a free chain, or waits its turn on one, so appends of one process never
   * race each other for a sequence number (only other processes can take one first).
   */
  private readonly queues = new Map<number, Promise<void>>();
  private readonly repository: AuditRepository;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly keys: AuditKeys;
  private readonly anchor: AuditAnchor | undefined;
  private readonly verifier: AuditVerifier;

  constructor(
    dependencies: AuditTrailDependencies,
    private readonly options: AuditTrailOptions = defaultAuditOptions,
  ) {
    ({ repository: this.repository, store: this.store, clock: this.clock, keys: this.keys, anchor: this.anchor } = dependencies);
    this.verifier = new AuditVerifier(this.repository, this.keys, this.anchor, options);
  }

  /** Records reads (or anything with no other write), at most 100 entries per transaction. */
  async record(context: AuditContext, drafts: AuditDraft[]): Promise<void> {
    for (let i = 0; i < drafts.length; i += 100) await this.commit(context, drafts.slice(i, i + 100), []);
  }

  /**
   * Commits `writes` and the entries for `drafts` in one transaction. A lost race for a
   * chain's next sequence number is retried on a fresh head; any other failed condition
   * is the caller's to interpret.
   */
  async commit(context: AuditContext, drafts: AuditDraft[], writes: Write[]): Promise<void> {
    if (!drafts.length) throw new Error('Nothing to audit: every change and read must record an entry.');
    let retry: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const chain = retry ?? this.pickChain();
      // A head this process remembers may be stale (another process appended since): refused
      // on it, the same chain is tried again at once with its head read fresh. Only a refusal
      // on a fresh head is a race lost just now, worth a back-off and another chain.
      const cached = this.heads.has(chain);
      retry = undefined;
      try {
        await this.inTurn(chain, async () => {
          const entries = await this.entries(chain, context, drafts);
          try {
            await this.store.transact([...writes, ...this.repository.appendWrites(entries)]);
          } catch (error) {
            const refused = error instanceof ConditionFailedError ? error.labels : undefined;
            // Refused on another write's condition (a taken contact, a stale version): nothing was
            // written, so the known head still holds. A stale one would only cost one retry.
            if (!refused?.length || refused.includes('audit')) this.heads.delete(chain);
            throw error;
          }
          this.heads.set(chain, entries[entries.length - 1]!);
        });
        return;
      } catch (error) {
        const auditOnly = error instanceof ConditionFailedError && error.labels.length > 0 && error.labels.every((l) => l === 'audit');
        if (!auditOnly) throw error;
        if (attempt >= APPEND_ATTEMPTS) throw new UnavailableError('store', { cause: error });
        if (cached) {
          retry = chain;
          continue;
        }
      }
      // Another process took the chain's next number: back off a little, pick a chain anew.
      await new Promise((resolve) => setTimeout(resolve, randomInt(1, 4 + 2 ** Math.min(attempt, 6))));
    }
  }

  /** A chain no other request of this process is appending to, if there is one. */
  private pickChain(): number {
    for (let tries = 0; tries < 8; tries++) {
      const chain = randomInt(this.options.chains);
      if (!this.queues.has(chain)) return chain;
    }
    return randomInt(this.options.chains);
  }

  /** Runs `append` once the appends of this process queued before it on `chain` are done. */
  private async inTurn(chain: number, append: () => Promise<void>): Promise<void> {
    const before = this.queues.get(chain);
    const mine = (before ?? Promise.resolve()).then(append);
    const end = mine.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(chain, end);
    try {
      await mine;
    } finally {
      if (this.queues.get(chain) === end) this.queues.delete(chain);
    }
  }

  list(
    by: { target: { type: string; id: string } } | { actor: string },
    window: { from?: string; to?: string },
    page: { limit: number; cursor?: string },
  ): Promise<QueryPage<AuditEntry>> {
    return this.repository.list(by, window, page);
  }

  /**
   * Verifies the trail over a time window, a page of work per call: each entry's MAC, each
   * link, no gap, the chain heads against the latest checkpoint, and for entries that fix
   * their target's content, that the target still matches. Stops at the first failure;
   * answers `next` to pass back as `cursor` while work remains.
   */
  verify(window: { from: string; to: string }, subjects: Readonly<Record<string, SubjectResolver>> = {}, cursor?: string): Promise<VerificationReport> {
    return this.verifier.verify(window, subjects, cursor);
  }

  /**
   * Anchors every chain's head: a MACed checkpoint of each chain's last sequence number
   * and MAC, added to the anchor (which the application cannot rewrite). Skipped when no
   * chain moved since the latest genuine checkpoint.
   */
  async checkpoint(): Promise<{ written: boolean; chains: number }> {
    if (!this.anchor) throw new Error('No audit anchor is configured: checkpoints have nowhere to go.');
    const key = await this.keys.key('checkpoint');
    const heads: ChainHead[] = [];
    for (let chain = 0; chain < this.options.chains; chain += HEADS_PARALLEL) {
      const batch = Array.from({ length: Math.min(HEADS_PARALLEL, this.options.chains - chain) }, (_, i) => chain + i);
      const found = await Promise.all(batch.map((c) => this.repository.head(c)));
      for (const head of found) if (head) heads.push({ chain: head.chain, seq: head.seq, mac: head.mac });
    }
    const latest = await this.anchor.latest();
    const previous = latest ? openCheckpoint(key, latest.at, latest.document) : undefined;
    const unchanged =
      previous !== undefined &&
      previous.heads.length === heads.length &&
      previous.heads.every((h, i) => h.chain === heads[i]!.chain && h.seq === heads[i]!.seq && h.mac === heads[i]!.mac);
    if (unchanged) return { written: false, chains: heads.length };
    const at = this.clock.now().toISOString();
    await this.anchor.append(at, signCheckpoint(key, at, heads));
    return { written: true, chains: heads.length };
  }

  private async entries(chain: number, context: AuditContext, drafts: AuditDraft[]): Promise<AuditEntry[]> {
    const key = await this.keys.key('chain');
    let head: Pick<AuditEntry, 'seq' | 'mac'> | undefined = this.heads.get(chain) ?? (await this.repository.head(chain));
    const at = this.clock.now().toISOString();
    return drafts.map((draft) => {
      const entry = link(key, head, {
        chain,
        at,
        actor: context.actor.id,
        role: context.actor.role,
        purpose: context.purpose,
        action: draft.action,
        targetType: draft.target.type,
        targetId: draft.target.id,
        requestId: context.actor.requestId ?? 'none',
        ...(draft.subjectHash ? { subjectHash: draft.subjectHash } : {}),
      });
      head = entry;
      return entry;
    });
  }
}
