import { CURRENT_FORMAT, sealIntact, verifyLinks } from './chain.js';
import { openCheckpoint } from './checkpoints.js';
import { VerificationRangeError } from './errors.js';
import type { AuditKeys } from './keys.js';
import { RANGE_PAGE, type AuditRepository } from './repository.js';
import { openVerifyCursor, sealVerifyCursor, type VerifyPosition } from './verify-cursor.js';
import type { AuditAnchor } from '../ports/index.js';
import type { AuditEntry, VerificationFailure, VerificationReport } from './types.js';

/** Answered for a target removed by a certified erasure: gone lawfully, not tampered with. */
export const ERASED = Symbol('erased');

/** Computes the current content hash of an audited target, undefined if it is gone, ERASED if erased. */
export type SubjectResolver = (targetId: string) => Promise<string | typeof ERASED | undefined>;

export interface VerifierOptions {
  chains: number;
  maxVerifyDays: number;
  /** Most entries one call checks before it answers a `next` cursor. */
  verifyPageEntries: number;
}

const DAY_MS = 86_400_000;
const PARALLEL = 8;

/**
 * Verification of the trail, a page of work per call: the chains in order, each over the
 * sequence numbers written within the window, at most `verifyPageEntries` entries per call,
 * so that a call stays well inside the API's 30 s whatever the window holds. The first call
 * also compares every chain's head with the latest checkpoint, which is what shows entries
 * removed from the end of a chain (nothing after them is left to miss them).
 */
export class AuditVerifier {
  constructor(
    private readonly repository: AuditRepository,
    private readonly keys: AuditKeys,
    private readonly anchor: AuditAnchor | undefined,
    private readonly options: VerifierOptions,
  ) {}

  async verify(
    window: { from: string; to: string },
    subjects: Readonly<Record<string, SubjectResolver>> = {},
    cursor?: string,
  ): Promise<VerificationReport> {
    const span = Date.parse(window.to) - Date.parse(window.from);
    if (!(span >= 0)) throw new VerificationRangeError('`to` must not be before `from`.');
    if (span > this.options.maxVerifyDays * DAY_MS) {
      throw new VerificationRangeError(`A verification covers at most ${this.options.maxVerifyDays} days; split the range.`);
    }
    const [chainKey, cursorKey] = await Promise.all([this.keys.key('chain'), this.keys.key('verify-cursor')]);
    const start = cursor === undefined ? undefined : openVerifyCursor(cursorKey, window, cursor);
    const report: VerificationReport = { ...window, entriesChecked: 0, subjectsChecked: 0, legacyEntries: 0, ok: true };
    const fail = (failure: VerificationFailure): VerificationReport => ({ ...report, ok: false, firstFailure: failure });

    if (!start) {
      const anchored = await this.checkHeads(chainKey);
      if (anchored.checkpoint) report.checkpoint = anchored.checkpoint;
      if (anchored.failure) return fail(anchored.failure);
    }

    const firstChain = start?.chain ?? 0;
    const allBounds = await this.boundsFrom(firstChain, window);
    for (let chain = firstChain; chain < this.options.chains; chain++) {
      const resumed = start && chain === start.chain ? { first: start.nextSeq, last: start.lastSeq } : undefined;
      const bounds = resumed ?? allBounds[chain - firstChain];
      if (!bounds) continue;
      for (let nextSeq = bounds.first; nextSeq <= bounds.last; ) {
        const room = this.options.verifyPageEntries - report.entriesChecked;
        if (room <= 0) {
          const position: VerifyPosition = { chain, nextSeq, lastSeq: bounds.last };
          return { ...report, next: sealVerifyCursor(cursorKey, window, position) };
        }
        const toSeq = Math.min(bounds.last, nextSeq + Math.min(room, RANGE_PAGE) - 1);
        const failure = await this.checkRange(chainKey, chain, nextSeq, toSeq, report, subjects);
        if (failure) return fail(failure);
        nextSeq = toSeq + 1;
      }
    }
    return report;
  }

  /** Each chain's sequence range in the window, from `firstChain` on: two one-item reads per chain, a few chains at a time. */
  private async boundsFrom(firstChain: number, window: { from: string; to: string }): Promise<Array<{ first: number; last: number } | undefined>> {
    const chains = Array.from({ length: Math.max(0, this.options.chains - firstChain) }, (_, i) => firstChain + i);
    const bounds: Array<{ first: number; last: number } | undefined> = [];
    for (let i = 0; i < chains.length; i += PARALLEL) {
      bounds.push(...(await Promise.all(chains.slice(i, i + PARALLEL).map((chain) => this.repository.windowBounds(chain, window.from, window.to)))));
    }
    return bounds;
  }

  /** Entries `fromSeq`..`toSeq` of a chain, linked to the one before; counts into `report`. */
  private async checkRange(
    key: Buffer,
    chain: number,
    fromSeq: number,
    toSeq: number,
    report: VerificationReport,
    subjects: Readonly<Record<string, SubjectResolver>>,
  ): Promise<VerificationFailure | undefined> {
    const range = await this.repository.chainRange(chain, Math.max(1, fromSeq - 1), toSeq);
    const before = fromSeq > 1 ? range.find((e) => e.seq === fromSeq - 1) : undefined;
    const linked = range.filter((e) => e.seq >= fromSeq);
    report.entriesChecked += linked.length;
    report.legacyEntries += linked.filter((e) => e.format !== CURRENT_FORMAT).length;
    if (fromSeq > 1 && !before) return missing(chain, fromSeq - 1);
    if (before && !sealIntact(key, before)) return altered(before);
    const broken = verifyLinks(key, linked, before);
    if (broken) return broken;
    const last = linked[linked.length - 1]?.seq ?? fromSeq - 1;
    if (last < toSeq) return missing(chain, last + 1);
    return this.checkSubjects(linked, report, subjects);
  }

  private async checkSubjects(
    entries: readonly AuditEntry[],
    report: VerificationReport,
    subjects: Readonly<Record<string, SubjectResolver>>,
  ): Promise<VerificationFailure | undefined> {
    for (const entry of entries) {
      const resolve = entry.subjectHash ? subjects[entry.targetType] : undefined;
      if (!resolve) continue;
      report.subjectsChecked += 1;
      const current = await resolve(entry.targetId);
      if (current !== ERASED && current !== entry.subjectHash) {
        return {
          chain: entry.chain,
          seq: entry.seq,
          reason: 'subject',
          detail: `The ${entry.targetType} ${entry.targetId} ${current === undefined ? 'is missing' : 'was altered'} since entry ${entry.seq} of chain ${entry.chain} recorded it.`,
          target: { type: entry.targetType, id: entry.targetId },
        };
      }
    }
    return undefined;
  }

  /**
   * Every chain named by the latest checkpoint must still hold the checkpointed entry,
   * unchanged: a chain cut back below it, or rewritten up to it, fails here.
   */
  private async checkHeads(key: Buffer): Promise<{ checkpoint?: VerificationReport['checkpoint']; failure?: VerificationFailure }> {
    const latest = await this.anchor?.latest();
    if (!latest) return {};
    const checkpoint = openCheckpoint(await this.keys.key('checkpoint'), latest.at, latest.document);
    if (!checkpoint) {
      return {
        failure: { chain: 0, seq: 0, reason: 'checkpoint', detail: `The latest checkpoint (${latest.at}) is not one this deployment signed.` },
      };
    }
    const summary = { at: checkpoint.at, chains: checkpoint.heads.length };
    const failures: VerificationFailure[] = [];
    for (let i = 0; i < checkpoint.heads.length; i += PARALLEL) {
      const batch = checkpoint.heads.slice(i, i + PARALLEL);
      await Promise.all(
        batch.map(async (head) => {
          const [entry] = await this.repository.chainRange(head.chain, head.seq, head.seq);
          if (!entry) {
            const now = await this.repository.head(head.chain);
            failures.push(
              !now || now.seq < head.seq
                ? {
                    chain: head.chain,
                    seq: head.seq,
                    reason: 'truncated',
                    detail: `Chain ${head.chain} ends at entry ${now?.seq ?? 0}, before entry ${head.seq} recorded by the checkpoint of ${checkpoint.at}.`,
                  }
                : missing(head.chain, head.seq),
            );
          } else if (entry.mac !== head.mac) {
            failures.push({
              chain: head.chain,
              seq: head.seq,
              reason: 'truncated',
              detail: `Entry ${head.seq} of chain ${head.chain} is not the one the checkpoint of ${checkpoint.at} recorded: the chain was cut back and written anew.`,
            });
          } else if (!sealIntact(key, entry)) {
            failures.push(altered(entry));
          }
        }),
      );
    }
    const [failure] = failures.sort((a, b) => a.chain - b.chain);
    return failure ? { checkpoint: summary, failure } : { checkpoint: summary };
  }
}

const missing = (chain: number, seq: number): VerificationFailure => ({
  chain,
  seq,
  reason: 'missing',
  detail: `Entry ${seq} of chain ${chain} is missing.`,
});

const altered = (entry: AuditEntry): VerificationFailure => ({
  chain: entry.chain,
  seq: entry.seq,
  reason: 'hash',
  detail: `Entry ${entry.seq} of chain ${entry.chain} was altered.`,
});
