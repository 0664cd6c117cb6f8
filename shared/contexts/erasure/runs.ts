import { createHash } from 'node:crypto';
import { ValidationError } from '../../platform/errors/index.js';
import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import type { ErasureCause, ErasureRun, ErasureStep } from './types.js';

const T = dataTable.name;
/**
 * Unfinished erasures sit in the retention index (gsi3) spread over a few partitions, so
 * that a sweep expiring thousands of customers at once never writes one hot partition key.
 * The index is sparse: a run leaves it when its erasure has closed.
 */
export const RUN_SHARDS = 8;
const shardPartition = (shard: number) => `ERASURE#UNFINISHED#${shard}`;
const shardOf = (reference: string) => createHash('sha256').update(reference).digest()[0]! % RUN_SHARDS;
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
  constructor(private readonly store: Store) {}

  async find(reference: string): Promise<ErasureRun | undefined> {
    const item = await this.store.get<ErasureRunItem>(T, key(reference));
    return item && strip(item);
  }

  /** The put of a run: a new one (`absent`), or one replaced whatever it was. */
  write(run: ErasureRun, condition?: 'absent'): Write {
    return {
      op: 'put',
      table: T,
      item: { ...run, ...key(run.id), kind: 'erasure-run', gsi3pk: shardPartition(shardOf(run.id)), gsi3sk: `${run.startedAt}#${run.id}` },
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

  /**
   * Unfinished runs started before `startedBefore` (all when absent), oldest first within
   * each partition, the partitions one after another. The cursor names the partition.
   */
  async unfinished(filter: { startedBefore?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<ErasureRun>> {
    let { shard, inner } = decodeRunCursor(page.cursor);
    const items: ErasureRun[] = [];
    while (shard < RUN_SHARDS && items.length < page.limit) {
      const result = await this.store.query<ErasureRunItem>({
        table: T,
        index: 'gsi3',
        partition: { name: 'gsi3pk', value: shardPartition(shard) },
        ...(filter.startedBefore ? { range: { name: 'gsi3sk', to: `${filter.startedBefore}#` } } : {}),
        limit: page.limit - items.length,
        ...(inner ? { cursor: inner } : {}),
      });
      items.push(...result.items.map(strip));
      if (result.cursor) inner = result.cursor;
      else {
        shard += 1;
        inner = undefined;
      }
    }
    return shard < RUN_SHARDS ? { items, cursor: encodeRunCursor(shard, inner) } : { items };
  }
}

const strip = ({ pk: _p, sk: _s, kind: _k, gsi3pk: _a, gsi3sk: _b, ...run }: ErasureRunItem): ErasureRun => run as unknown as ErasureRun;

/** A partition number and the store's own cursor within it (itself checked by the store). */
function encodeRunCursor(shard: number, inner: string | undefined): string {
  return `${shard}.${inner ?? ''}`;
}

function decodeRunCursor(cursor: string | undefined): { shard: number; inner?: string } {
  if (cursor === undefined) return { shard: 0 };
  const match = /^([0-9])\.(.*)$/s.exec(cursor);
  const shard = match ? Number(match[1]) : NaN;
  if (!match || shard >= RUN_SHARDS) throw new ValidationError('The cursor is not one this list gave.', [{ field: 'cursor', message: 'is not a cursor of this list' }]);
  return match[2] ? { shard, inner: match[2] } : { shard };
}
