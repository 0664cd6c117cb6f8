import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { NotFoundError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type QueryPage, type Store } from '../../platform/ports/index.js';
import { ErasureRunRepository } from './runs.js';
import type { ListErasuresQuery } from './schemas.js';
import type { ErasureRun } from './types.js';

/**
 * An erasure without progress this long has lost its message (or it rests in the DLQ): it
 * is handed on again. Longer than the erasure queue's visibility timeout (12 minutes), so a
 * message waiting to be received again is not doubled; a repeat would be harmless anyway.
 */
export const RESUME_ERASURE_AFTER_MS = 15 * 60_000;
/** An erasure unfinished this long after it started is stuck: listed as such, and alarmed on. */
export const ERASURE_STUCK_AFTER_MS = 60 * 60_000;
const PAGE = 100;

export interface ResumeResult {
  /** Handed on again now. */
  resumed: number;
  /** Unfinished an hour or more after they started (the ErasuresStuck alarm). */
  stuck: number;
  unfinished: number;
}

/**
 * Watches erasures until they close: lists the unfinished ones for operators, hands on
 * again those that stopped making progress (the scheduled job, or an operator's retry).
 * The worker repeats any step safely, so a message sent twice costs time, not correctness.
 */
export class ErasureSupervisor {
  private readonly runs: ErasureRunRepository;

  /** `shards`: of the unfinished-run partition (INDEX_SHARDS_ERASURES). */
  constructor(private readonly deps: { store: Store; clock: Clock; audit: AuditTrail; events: EventPublisher; shards?: number }) {
    this.runs = new ErasureRunRepository(deps.store, deps.shards);
  }

  async list(query: ListErasuresQuery, context: AuditContext): Promise<QueryPage<ErasureRun>> {
    const stuckBefore = new Date(this.deps.clock.now().getTime() - ERASURE_STUCK_AFTER_MS).toISOString();
    const page = await this.runs.unfinished(query.state === 'stuck' ? { startedBefore: stuckBefore } : {}, {
      limit: query.limit ?? 50,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    if (page.items.length) await this.deps.audit.record(context, page.items.map((run) => ({ action: 'erasure.list', target: { type: 'customer', id: run.customerId } })));
    return page;
  }

  /** An operator hands an unfinished erasure on again, whatever its progress. */
  async retry(id: string, context: AuditContext): Promise<ErasureRun> {
    const run = await this.runs.find(id);
    if (!run) throw new NotFoundError('No unfinished erasure has this id: it has closed, or never started.', 'id');
    return this.handOn(run, context);
  }

  /**
   * The scheduled check: hands on again every erasure without progress for `stalledForMs`
   * (none is running then), except those named in `except` (their message is waiting), and
   * counts the stuck ones. At local start-up nothing can be running: `stalledForMs` is 0.
   */
  async resume(options: { stalledForMs: number; except?: ReadonlySet<string> }, context: AuditContext): Promise<ResumeResult> {
    const now = this.deps.clock.now().getTime();
    const stalledBefore = new Date(now - options.stalledForMs).toISOString();
    const stuckBefore = new Date(now - ERASURE_STUCK_AFTER_MS).toISOString();
    const result: ResumeResult = { resumed: 0, stuck: 0, unfinished: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.runs.unfinished({}, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      for (const run of page.items) {
        result.unfinished += 1;
        if (run.startedAt < stuckBefore) result.stuck += 1;
        if (run.progressAt <= stalledBefore && !options.except?.has(run.id)) {
          await this.handOn(run, context);
          result.resumed += 1;
        }
      }
      cursor = page.cursor;
    } while (cursor);
    return result;
  }

  /**
   * Publishes the erasure's event again, then notes it on the run, which counts as progress.
   * A failed publish leaves the run as it was (and throws); a run closed meanwhile stays closed.
   */
  private async handOn(run: ErasureRun, context: AuditContext): Promise<ErasureRun> {
    const at = this.deps.clock.now().toISOString();
    const event: DomainEvent =
      'requestId' in run.cause
        ? { type: 'ErasureApproved', id: `${run.id}:resume:${at}`, at, detail: { requestId: run.cause.requestId, customerId: run.customerId } }
        : { type: 'RetentionExpired', id: `${run.id}:resume:${at}`, at, detail: { sweepId: run.cause.sweepId, customerId: run.customerId } };
    await this.deps.events.publish([event]);
    const next: ErasureRun = { ...run, progressAt: at, resumes: run.resumes + 1, lastResume: { at, by: context.actor.id } };
    try {
      await this.deps.audit.commit(context, [{ action: 'erasure.resume', target: { type: 'customer', id: run.customerId } }], [
        { ...this.runs.write(next), condition: { kind: 'exists' } },
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
    return next;
  }
}
