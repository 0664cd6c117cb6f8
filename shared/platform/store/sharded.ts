import { createHash } from 'node:crypto';
import { KehuError, UnavailableError } from '../errors/index.js';
import type { QueryInput, QueryPage, Store, StoreItem } from '../ports/index.js';
import { InvalidCursorError } from './errors.js';

/**
 * Sharded index partitions. DynamoDB serves at most about 1,000 writes a second per
 * partition key, so an index key that every customer (or every request, interaction, …)
 * would share caps the whole deployment. Such a key is spread over a fixed number of
 * shards, `<prefix>#<n>`, n from a hash of the item's id; a listing reads every shard in
 * parallel and merges them in sort-key order (docs/scaling.md).
 *
 * Raising a family's shard count needs no re-index: the old shards are a subset of the new
 * ones and every item is still read exactly once. Lowering it does: items in the dropped
 * shards are no longer listed until rewritten.
 */

/** The index families whose partition keys are sharded, each with its own count. */
export const indexFamilies = ['customers', 'interactions', 'consents', 'requests', 'shares', 'erasures', 'auditActors', 'complaints', 'surveys', 'riskFlags', 'incidents', 'findings'] as const;
export type IndexFamily = (typeof indexFamilies)[number];
export type IndexShards = Readonly<Record<IndexFamily, number>>;

export const DEFAULT_INDEX_SHARDS = 16;
/** Erasure runs were spread over 8 partitions before every family was sharded: fewer erasure shards would hide them. */
export const MIN_ERASURE_SHARDS = 8;
/** Upper bound on a shard count: a listing issues one query per shard and page. */
export const MAX_INDEX_SHARDS = 1024;
export const defaultIndexShards: IndexShards = Object.fromEntries(indexFamilies.map((f) => [f, DEFAULT_INDEX_SHARDS])) as Record<IndexFamily, number>;

/** The shard of an id: the first 32 bits of its SHA-256, modulo the count (uniform for any id). */
export function shardOf(id: string, shards: number): number {
  return createHash('sha256').update(id, 'utf8').digest().readUInt32BE(0) % shards;
}

export const shardPartition = (prefix: string, shard: number): string => `${prefix}#${shard}`;

/** The partition key of an item with this id in a sharded index. */
export const shardKey = (prefix: string, id: string, shards: number): string => shardPartition(prefix, shardOf(id, shards));

/** A query of every shard of one sharded partition; the sort key must be unique across shards. */
export interface ShardedQueryInput extends Omit<QueryInput, 'partition' | 'range' | 'consistent'> {
  /**
   * `legacy`: also read the unsharded key `prefix` itself, where items written before the key
   * was sharded still sit (one more query a page; an item moves to its shard when rewritten).
   */
  partition: { name: string; prefix: string; shards: number; legacy?: boolean };
  /** The index's sort key, with an optional inclusive range. */
  range: { name: string; from?: string; to?: string };
}

interface Shard<T> {
  partition: string;
  buffer: T[];
  /** The store's cursor within this shard; absent once the shard is read to its end. */
  cursor?: string;
  started: boolean;
  limit: number;
}

const isSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdfff;

/**
 * DynamoDB's order of string sort keys (their UTF-8 bytes), without encoding them: UTF-16
 * order is the same except that a surrogate (a code point above U+FFFF) sorts after U+E000-U+FFFF.
 */
export function byteOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const sx = isSurrogate(x);
    if (sx !== isSurrogate(y)) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/**
 * One page of a sharded listing: every shard queried in parallel with a small limit, merged
 * lazily by sort key (a shard whose buffer runs out is read further before anything else is
 * answered). The cursor is the last sort key answered, sealed like every other cursor when
 * the store seals cursors, so it stays small at any shard count; each shard resumes after
 * it. A shard that cannot be read fails the whole page as unavailable (503, retryable):
 * never a page silently short of that shard's items.
 */
export async function querySharded<T extends StoreItem>(store: Store, input: ShardedQueryInput): Promise<QueryPage<T>> {
  const { partition, range, cursor, limit, ...rest } = input;
  const scope: QueryInput = { ...rest, limit, partition: { name: partition.name, value: `${partition.prefix}#*` }, range };
  const after = cursor === undefined ? undefined : await openContinuation(store, cursor, scope);
  if (after !== undefined && !withinRange(after, range)) throw new InvalidCursorError();
  const { cursor: _listing, ...listing } = input;
  const merge = new ShardMerge<T>(store, listing, after);
  const items = await merge.take(limit);
  const last = items[items.length - 1];
  if (!merge.more() || last === undefined) return { items };
  return { items, cursor: await sealContinuation(store, JSON.stringify({ after: String(last[range.name]) }), scope) };
}

/**
 * All items of a sharded listing in order, page by page (sweeps and schedules). One merge
 * runs through the whole listing, so a shard read to its end is not queried again and each
 * shard's reads grow with what it holds.
 */
export async function forEachSharded<T extends StoreItem>(store: Store, input: Omit<ShardedQueryInput, 'cursor'>, each: (items: T[]) => Promise<void> | void): Promise<void> {
  const merge = new ShardMerge<T>(store, input, undefined);
  for (;;) {
    const items = await merge.take(input.limit);
    if (items.length) await each(items);
    if (!merge.more()) return;
  }
}

/** The merge of every shard of one partition, from a position on, taken a page at a time. */
class ShardMerge<T extends StoreItem> {
  private readonly shards: Shard<T>[];
  private readonly shardRange: ShardedQueryInput['range'];

  constructor(
    private readonly store: Store,
    private readonly input: Omit<ShardedQueryInput, 'cursor'>,
    /** The last key answered before: every shard resumes there, the key itself skipped. */
    private readonly after: string | undefined,
  ) {
    const { partition, range, limit, descending } = input;
    if (!Number.isInteger(partition.shards) || partition.shards < 1) throw new Error(`Bad shard count ${partition.shards}`);
    this.shardRange = after === undefined ? range : descending ? { ...range, to: after } : { ...range, from: after };
    const perShard = Math.min(limit, Math.ceil(limit / partition.shards) + 1);
    const partitions = Array.from({ length: partition.shards }, (_, n) => shardPartition(partition.prefix, n));
    if (partition.legacy) partitions.push(partition.prefix);
    this.shards = partitions.map((value) => ({ partition: value, buffer: [], started: false, limit: perShard }));
  }

  /** Up to `limit` more items in order. */
  async take(limit: number): Promise<T[]> {
    const items: T[] = [];
    const descending = this.input.descending === true;
    while (items.length < limit) {
      const empty = this.shards.filter((shard) => shard.buffer.length === 0 && (!shard.started || shard.cursor !== undefined));
      if (empty.length) {
        await Promise.all(empty.map((shard) => this.read(shard)));
        continue;
      }
      let next: Shard<T> | undefined;
      for (const shard of this.shards) {
        const head = shard.buffer[0];
        if (head === undefined) continue;
        const order = next ? byteOrder(this.sortKey(head), this.sortKey(next.buffer[0]!)) : 0;
        if (!next || (descending ? order > 0 : order < 0)) next = shard;
      }
      if (!next) break;
      items.push(next.buffer.shift()!);
    }
    return items;
  }

  /** Whether any shard may hold more. */
  more(): boolean {
    return this.shards.some((shard) => shard.buffer.length > 0 || !shard.started || shard.cursor !== undefined);
  }

  private sortKey(item: T): string {
    return String(item[this.input.range.name]);
  }

  private async read(shard: Shard<T>): Promise<void> {
    const { partition, range: _range, limit, ...rest } = this.input;
    let page: QueryPage<T>;
    try {
      page = await this.store.query<T>({
        ...rest,
        partition: { name: partition.name, value: shard.partition },
        range: this.shardRange,
        limit: shard.limit,
        ...(shard.cursor !== undefined ? { cursor: shard.cursor } : {}),
      });
    } catch (error) {
      throw error instanceof KehuError ? error : new UnavailableError('store', { cause: error });
    }
    shard.started = true;
    shard.buffer.push(...(this.after === undefined ? page.items : page.items.filter((item) => this.sortKey(item) !== this.after)));
    shard.cursor = page.cursor;
    // A shard that holds more than its share is read in growing steps.
    shard.limit = Math.min(limit, shard.limit * 2);
  }
}

const withinRange = (key: string, range: ShardedQueryInput['range']) =>
  (range.from === undefined || byteOrder(key, range.from) >= 0) && (range.to === undefined || byteOrder(key, range.to) <= 0);

// A store that authenticates cursors (every store behind the API) seals the continuation
// with the same MAC; a bare store (tests, internal reads) hands it out plain.
async function sealContinuation(store: Store, continuation: string, scope: QueryInput): Promise<string> {
  return store.cursors ? store.cursors.seal(continuation, scope) : Buffer.from(continuation, 'utf8').toString('base64url');
}

/** The last sort key a page answered, from its cursor: `{"after": key}`, sealed or plain. */
async function openContinuation(store: Store, cursor: string, scope: QueryInput): Promise<string> {
  let continuation: string;
  if (store.cursors) continuation = await store.cursors.open(cursor, scope);
  else {
    continuation = Buffer.from(cursor, 'base64url').toString('utf8');
    if (Buffer.from(continuation, 'utf8').toString('base64url') !== cursor) throw new InvalidCursorError();
  }
  let after: unknown;
  try {
    after = (JSON.parse(continuation) as { after?: unknown } | null)?.after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string' || after === '') throw new InvalidCursorError();
  return after;
}
