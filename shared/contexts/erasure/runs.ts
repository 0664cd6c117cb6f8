import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import type { ErasureCause, ErasureRun, ErasureStep } from './types.js';

const T = dataTable.name;
/**
 * Unfinished erasures sit in the retention index (gsi3) spread over shards (the erasures
 * family's count), so that a sweep expiring thousands of customers at once never writes one
 * hot partition key. The index is sparse: a run leaves it when its erasure has closed.
 */
export const UNFINISHED_RUNS = 'ERASURE#UNFINISHED';
const key = (reference: string) => ({ pk: `ERASURE#${reference}`, sk: 'RUN' });

export type ErasureRunItem = ErasureRun & StoreItem;

/** The id an erasure is known by: its request, or the sweep and customer it expired. */
export const referenceOf = (customerId: string, cause: ErasureCause): string =>
  'requestId' in cause ? cause.requestId : `${cause.sweepId}:${customerId}`;

/**
 * Storage of erasure runs: one item per erasure from approval (or, for a retention sweep,
 * from hiding the record) until it has closed, with the time of its last progress. Ids only.
 */
export class ErasureRunRepository {
  /** @param shards shards of the unfinished-runs partition (INDEX_SHARDS_ERASURES). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  async find(reference: string): Promise<ErasureRun | undefined> {
    const item = await this.store.get<ErasureRunItem>(T, key(reference));
    return item && strip(item);
  }

  /** The put of a run: a new one (`absent`), or one replaced whatever it was. */
  write(run: ErasureRun, condition?: 'absent'): Extract<Write, { op: 'put' }> {
    return {
      op: 'put',
      table: T,
      item: { ...run, ...key(run.id), kind: 'erasure-run', gsi3pk: shardKey(UNFINISHED_RUNS, run.id, this.shards), gsi3sk: `${run.startedAt}#${run.id}` },
      ...(condition ? { condition: { kind: 'absent' as const } } : {}),
      label: 'erasure-run',
    };
  }

  /** The new run of an erasure request just approved (the requests context's `ErasureTracking`). */
  approved({ requestId, customerId, at }: { requestId: string; customerId: string; at: string }): Write {
    return this.write({ id: requestId, customerId, cause: { requestId }, startedAt: at, step: 'approved', progressAt: at, resumes: 0 }, 'absent');
  }

  remove(reference: string): Write {
    return { op: 'delete', table: T, key: key(reference) };
  }

  /** Records progress: the erasure reached `step` now. */
  async progress(run: ErasureRun, step: ErasureStep, at: string): Promise<ErasureRun> {
    const next = { ...run, step, progressAt: at };
    await this.store.transact([this.write(next)]);
    return next;
  }

  /** Unfinished runs started before `startedBefore` (all when absent), oldest first, every shard merged. */
  async unfinished(filter: { startedBefore?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<ErasureRun>> {
    const result = await querySharded<ErasureRunItem>(this.store, {
      table: T,
      index: 'gsi3',
      partition: { name: 'gsi3pk', prefix: UNFINISHED_RUNS, shards: this.shards },
      range: { name: 'gsi3sk', ...(filter.startedBefore ? { to: `${filter.startedBefore}#` } : {}) },
      ...page,
    });
    return { ...result, items: result.items.map(strip) };
  }
}

const strip = ({ pk: _p, sk: _s, kind: _k, gsi3pk: _a, gsi3sk: _b, ...run }: ErasureRunItem): ErasureRun => run as unknown as ErasureRun;
