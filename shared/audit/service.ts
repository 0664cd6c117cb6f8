import { randomInt } from 'node:crypto';
import { UnavailableError } from '../errors/index.js';
import { ConditionFailedError, type Clock, type QueryPage, type Store, type Write } from '../ports/index.js';
import { link, verifyLinks } from './chain.js';
import { VerificationRangeError } from './errors.js';
import type { AuditRepository } from './repository.js';
import type { AuditContext, AuditDraft, AuditEntry, VerificationFailure, VerificationReport } from './types.js';

export interface AuditTrailOptions {
  /** Parallel chains; appends pick one at random, so they rarely wait on each other. */
  chains: number;
  /** Longest window one verification may cover. */
  maxVerifyDays: number;
  /** Most entries one verification may read. */
  maxVerifyEntries: number;
}

export const defaultAuditOptions: AuditTrailOptions = { chains: 64, maxVerifyDays: 31, maxVerifyEntries: 200_000 };

/** Answered for a target removed by a certified erasure: gone lawfully, not tampered with. */
export const ERASED = Symbol('erased');

/** Computes the current content hash of an audited target, undefined if it is gone, ERASED if erased. */
export type SubjectResolver = (targetId: string) => Promise<string | typeof ERASED | undefined>;

const APPEND_ATTEMPTS = 12;
const DAY_MS = 86_400_000;
const VERIFY_PARALLEL = 8;

/**
 * The audit trail (SEC-4, INT-3). Every entry is written in the same transaction as the
 * change it records, or before the read it records is answered: if it cannot be written,
 * the action does not happen.
 */
export class AuditTrail {
  /** Heads this process appended last, so an append needs no read unless another process raced it. */
  private readonly heads = new Map<number, Pick<AuditEntry, 'seq' | 'hash'>>();
  /** Chains this process is appending to right now: its other requests pick another. */
  private readonly busy = new Set<number>();

  constructor(
    private readonly repository: AuditRepository,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: AuditTrailOptions = defaultAuditOptions,
  ) {}

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
    for (let attempt = 1; ; attempt++) {
      const chain = this.pickChain();
      this.busy.add(chain);
      try {
        const entries = await this.entries(chain, context, drafts);
        await this.store.transact([...writes, ...this.repository.appendWrites(entries)]);
        this.heads.set(chain, entries[entries.length - 1]!);
        return;
      } catch (error) {
        this.heads.delete(chain);
        const auditOnly = error instanceof ConditionFailedError && error.labels.length > 0 && error.labels.every((l) => l === 'audit');
        if (!auditOnly) throw error;
        if (attempt >= APPEND_ATTEMPTS) throw new UnavailableError('store', { cause: error });
      } finally {
        this.busy.delete(chain);
      }
      // Another process took the chain's next number: back off a little, pick a chain anew.
      await new Promise((resolve) => setTimeout(resolve, randomInt(1, 4 + 2 ** Math.min(attempt, 6))));
    }
  }

  /** A chain no other request of this process is appending to, if there is one. */
  private pickChain(): number {
    for (let tries = 0; tries < 8; tries++) {
      const chain = randomInt(this.options.chains);
      if (!this.busy.has(chain)) return chain;
    }
    return randomInt(this.options.chains);
  }

  list(
    by: { target: { type: string; id: string } } | { actor: string },
    window: { from?: string; to?: string },
    page: { limit: number; cursor?: string },
  ): Promise<QueryPage<AuditEntry>> {
    return this.repository.list(by, window, page);
  }

  /**
   * Verifies every chain over a time window: each entry's hash, each link, no gap, and
   * for entries that fix their target's content, that the target still matches. Names
   * the first failure in time.
   */
  async verify(window: { from: string; to: string }, subjects: Readonly<Record<string, SubjectResolver>> = {}): Promise<VerificationReport> {
    const span = Date.parse(window.to) - Date.parse(window.from);
    if (!(span >= 0)) throw new VerificationRangeError('`to` must not be before `from`.');
    if (span > this.options.maxVerifyDays * DAY_MS) {
      throw new VerificationRangeError(`A verification covers at most ${this.options.maxVerifyDays} days; split the range.`);
    }
    let entriesChecked = 0;
    let subjectsChecked = 0;
    const failures: Array<VerificationFailure & { at: string }> = [];
    const verifyChain = async (chain: number) => {
      const inWindow = await this.repository.chainWindow(chain, window.from, window.to, this.options.maxVerifyEntries);
      entriesChecked += inWindow.length;
      if (entriesChecked > this.options.maxVerifyEntries) {
        throw new VerificationRangeError(`The range holds more than ${this.options.maxVerifyEntries} entries; split it.`);
      }
      if (!inWindow.length) return;
      let first = Number.POSITIVE_INFINITY;
      let last = 0;
      for (const { seq } of inWindow) {
        first = Math.min(first, seq);
        last = Math.max(last, seq);
      }
      const range = await this.repository.chainRange(chain, Math.max(1, first - 1), last);
      const before = first > 1 ? range.find((e) => e.seq === first - 1) : undefined;
      const linked = range.filter((e) => e.seq >= first);
      const broken = first > 1 && !before
        ? { chain, seq: first - 1, reason: 'missing' as const, detail: `Entry ${first - 1} of chain ${chain} is missing.` }
        : verifyLinks(linked, before);
      if (broken) failures.push({ ...broken, at: linked.find((e) => e.seq >= broken.seq)?.at ?? window.from });

      for (const entry of inWindow) {
        const resolve = entry.subjectHash ? subjects[entry.targetType] : undefined;
        if (!resolve) continue;
        subjectsChecked += 1;
        const current = await resolve(entry.targetId);
        if (current !== ERASED && current !== entry.subjectHash) {
          failures.push({
            chain,
            seq: entry.seq,
            at: entry.at,
            reason: 'subject',
            detail: `The ${entry.targetType} ${entry.targetId} ${current === undefined ? 'is missing' : 'was altered'} since entry ${entry.seq} of chain ${chain} recorded it.`,
            target: { type: entry.targetType, id: entry.targetId },
          });
        }
      }
    };
    // A few chains at a time: the reads dominate, and they need not wait on each other.
    for (let chain = 0; chain < this.options.chains; chain += VERIFY_PARALLEL) {
      const batch = Array.from({ length: Math.min(VERIFY_PARALLEL, this.options.chains - chain) }, (_, i) => chain + i);
      await Promise.all(batch.map(verifyChain));
    }
    const [firstFailure] = failures.sort((a, b) => a.at.localeCompare(b.at));
    const report: VerificationReport = { ...window, entriesChecked, subjectsChecked, ok: !firstFailure };
    if (firstFailure) {
      const { at: _at, ...failure } = firstFailure;
      report.firstFailure = failure;
    }
    return report;
  }

  private async entries(chain: number, context: AuditContext, drafts: AuditDraft[]): Promise<AuditEntry[]> {
    let head: Pick<AuditEntry, 'seq' | 'hash'> | undefined = this.heads.get(chain) ?? (await this.repository.head(chain));
    const at = this.clock.now().toISOString();
    return drafts.map((draft) => {
      const entry = link(head, {
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
