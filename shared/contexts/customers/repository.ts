import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, forEachSharded, querySharded, shardKey } from '../../platform/store/sharded.js';
import type { BlindIndexKind } from '../../platform/crypto/index.js';
import { NumberBlocks } from './number-blocks.js';
import type { Classification, Collection, HistoryEntry, HoldCategory, ProcessingFlags, SealedField } from './types.js';

/** The stored profile: classification in the clear (for filters), personal fields sealed. */
export interface CustomerItem extends Classification, ProcessingFlags, StoreItem {
  pk: string;
  sk: 'PROFILE';
  kind: 'customer';
  id: string;
  number: string;
  sealed: Partial<Record<SealedField, string>>;
  /** Blind indexes of the current contacts, to find the guards to release on change. */
  emailIndexes: string[];
  phoneIndexes: string[];
  collection: Collection & { collectedAt: string };
  version: number;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  lastVerifiedAt?: string;
  reviewDueAt: string;
  /** Set when an erasure starts: from then on the record is gone for every reader. */
  erasure?: ErasureMark;
  /** Index keys, sharded by the customer's id: `CustomerRepository.indexKeys`. */
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  /** Retention runs from the last change (RET-1). */
  gsi3pk: string;
  gsi3sk: string;
}

/**
 * An erasure under way or narrowed by a legal hold. `cause` lets a stuck erasure be
 * handed on again as what it was; `retained` names what a hold kept back.
 */
export interface ErasureMark {
  requestId: string;
  startedAt: string;
  cause?: { requestId: string } | { sweepId: string };
  retained?: HoldCategory[];
}

/**
 * A history entry as stored: its reason, free text that may name people, sealed under the
 * customer's key like the profile. (Entries written before reasons were sealed carry `reason`.)
 */
export interface StoredHistoryEntry extends Omit<HistoryEntry, 'reason'> {
  sealedReason?: string;
  reason?: string;
}

interface HistoryItem extends StoredHistoryEntry, StoreItem {
  pk: string;
  sk: string;
}

interface GuardItem extends StoreItem {
  pk: string;
  sk: 'GUARD';
  customerId: string;
}

interface IdempotencyItem extends StoreItem {
  pk: string;
  sk: 'IDEMPOTENCY';
  customerId: string;
  requestHash: string;
  expiresAt: number;
}

export interface ContactGuard {
  kind: BlindIndexKind;
  index: string;
  /** The request field it came from (`emails.0`); used as the transaction label. */
  field: string;
}

const T = dataTable.name;
const customerPk = (id: string) => `CUSTOMER#${id}`;
const guardKey = (kind: BlindIndexKind, index: string) => ({ pk: `${kind.toUpperCase()}#${index}`, sk: 'GUARD' });
const historySk = (version: number) => `HISTORY#${String(version).padStart(10, '0')}`;
const NUMBER_COUNTER = { pk: 'COUNTER#customer-number', sk: 'COUNTER' };

/**
 * The profile of a customer who exists and whose erasure has not started: the existence
 * check of every context that adds to or reads a customer's data.
 */
export async function liveProfile(store: Store, customerId: string): Promise<CustomerItem | undefined> {
  const item = await store.get<CustomerItem>(T, { pk: customerPk(customerId), sk: 'PROFILE' });
  return item && !item.erasure ? item : undefined;
}

export const reviewSortKey = (dueAt: string, id: string) => `${dueAt}#${id}`;

/** The sharded index partitions of profiles (docs/scaling.md): every customer would share each. */
export const CUSTOMER_LIST = 'CUSTOMER';
export const CUSTOMER_REVIEW = 'CUSTOMER#REVIEW';
export const PROFILE_RETENTION = 'RETAIN#profile';

/** Numbers one counter update reserves for an instance unless configured otherwise. */
export const DEFAULT_NUMBER_BLOCK = 100;

/** Storage adapter of the customer aggregate: item shapes and keys live here only. */
export class CustomerRepository {
  private readonly numbers: NumberBlocks;
  /** Shards of each profile index partition (INDEX_SHARDS_CUSTOMERS). */
  readonly shards: number;

  /**
   * @param options.numberBlock customer numbers reserved per counter update (see NumberBlocks).
   * @param options.shards shards of the profile index partitions.
   */
  constructor(
    private readonly store: Store,
    options: { numberBlock?: number; shards?: number } = {},
  ) {
    this.shards = options.shards ?? DEFAULT_INDEX_SHARDS;
    this.numbers = new NumberBlocks((size) => store.increment(T, NUMBER_COUNTER, 'value', size), options.numberBlock ?? DEFAULT_NUMBER_BLOCK);
  }

  findMany(ids: string[]): Promise<CustomerItem[]> {
    return this.store.getMany<CustomerItem>(T, ids.map((id) => ({ pk: customerPk(id), sk: 'PROFILE' })));
  }

  find(id: string): Promise<CustomerItem | undefined> {
    return this.store.get<CustomerItem>(T, { pk: customerPk(id), sk: 'PROFILE' });
  }

  async findByContact(kind: BlindIndexKind, index: string): Promise<CustomerItem | undefined> {
    const guard = await this.store.get<GuardItem>(T, guardKey(kind, index));
    return guard ? this.find(guard.customerId) : undefined;
  }

  /**
   * The next customer number of this instance's block, reserved from one atomic counter:
   * never a duplicate, increasing within a block; a failed create or a stopped instance leaves a gap.
   */
  async nextNumber(): Promise<string> {
    const n = await this.numbers.take();
    return `KH${String(n).padStart(8, '0')}`;
  }

  /** Whether any customer was ever created here (the number counter exists). */
  async hasCustomers(): Promise<boolean> {
    return (await this.store.get(T, NUMBER_COUNTER)) !== undefined;
  }

  async findIdempotency(scope: string, now: Date): Promise<IdempotencyItem | undefined> {
    const item = await this.store.get<IdempotencyItem>(T, { pk: `IDEMPOTENCY#${scope}`, sk: 'IDEMPOTENCY' });
    // DynamoDB deletes expired items only eventually (and DynamoDB Local never): filter.
    return item && item.expiresAt * 1000 > now.getTime() ? item : undefined;
  }

  list(
    filters: Array<{ name: string; equals?: string; contains?: string }>,
    page: { limit: number; cursor?: string },
  ): Promise<QueryPage<CustomerItem>> {
    return querySharded<CustomerItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: CUSTOMER_LIST, shards: this.shards, legacy: true },
      range: { name: 'gsi1sk' },
      filters,
      ...page,
    });
  }

  listReviewDue(
    cutoff: string,
    filters: Array<{ name: string; equals?: string; contains?: string }>,
    page: { limit: number; cursor?: string },
  ): Promise<QueryPage<CustomerItem>> {
    return querySharded<CustomerItem>(this.store, { ...this.reviewDue(cutoff), filters, ...page });
  }

  /** Every record due for review by `cutoff`, page by page, all shards merged (the daily reminder). */
  forEachReviewDue(cutoff: string, each: (items: CustomerItem[]) => void): Promise<void> {
    return forEachSharded<CustomerItem>(this.store, { ...this.reviewDue(cutoff), limit: 500 }, each);
  }

  /** The review index up to `cutoff`: every shard, and the key from before sharding. */
  private reviewDue(cutoff: string) {
    return {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: CUSTOMER_REVIEW, shards: this.shards, legacy: true },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
    };
  }

  /**
   * The index keys of a profile, derived on every write (a record written before sharding
   * moves to its shard on its next change). Sort keys are unique: a number, or a date and the id.
   */
  indexKeys(profile: { id: string; number: string; reviewDueAt: string; updatedAt: string }): Pick<CustomerItem, 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'gsi3pk' | 'gsi3sk'> {
    const { id } = profile;
    return {
      gsi1pk: shardKey(CUSTOMER_LIST, id, this.shards),
      gsi1sk: profile.number,
      gsi2pk: shardKey(CUSTOMER_REVIEW, id, this.shards),
      gsi2sk: reviewSortKey(profile.reviewDueAt, id),
      gsi3pk: shardKey(PROFILE_RETENTION, id, this.shards),
      gsi3sk: `${profile.updatedAt}#${id}`,
    };
  }

  async history(id: string, page: { limit: number; cursor?: string }): Promise<QueryPage<StoredHistoryEntry>> {
    const result = await this.store.query<HistoryItem>({
      table: T,
      partition: { name: 'pk', value: customerPk(id) },
      range: { name: 'sk', from: 'HISTORY#', to: 'HISTORY#~' },
      descending: true,
      ...page,
    });
    return { ...result, items: result.items.map(({ pk: _pk, sk: _sk, ...entry }) => entry as StoredHistoryEntry) };
  }

  /**
   * The writes of a new record with its key, uniqueness guards, first history entry and
   * idempotency record, for one transaction. Condition labels: `data-key`, `profile`,
   * `idempotency` and each guard's field.
   */
  createWrites(input: {
    item: CustomerItem;
    keyWrite: Write;
    guards: ContactGuard[];
    history: StoredHistoryEntry;
    idempotency?: { scope: string; requestHash: string; expiresAt: number };
  }): Write[] {
    const { item } = input;
    const writes: Write[] = [
      input.keyWrite,
      { op: 'put', table: T, item, condition: { kind: 'absent' }, label: 'profile' },
      this.historyWrite(item.id, input.history),
      ...input.guards.map((g) => this.guardWrite(g, item.id)),
    ];
    if (input.idempotency) {
      const { scope, requestHash, expiresAt } = input.idempotency;
      writes.push({
        op: 'put',
        table: T,
        item: { pk: `IDEMPOTENCY#${scope}`, sk: 'IDEMPOTENCY', customerId: item.id, requestHash, expiresAt },
        condition: { kind: 'absent' },
        label: 'idempotency',
      });
    }
    return writes;
  }

  /** The writes that replace the record if it still has `expectedVersion`, move guards, append history. */
  updateWrites(input: {
    item: CustomerItem;
    expectedVersion: number;
    history: StoredHistoryEntry;
    addGuards: ContactGuard[];
    releaseGuards: Array<{ kind: BlindIndexKind; index: string }>;
  }): Write[] {
    const { item } = input;
    return [
      { op: 'put', table: T, item, condition: { kind: 'version', version: input.expectedVersion }, label: 'profile' },
      this.historyWrite(item.id, input.history),
      ...input.releaseGuards.map((g): Write => ({ op: 'delete', table: T, key: guardKey(g.kind, g.index) })),
      ...input.addGuards.map((g) => this.guardWrite(g, item.id)),
    ];
  }

  private historyWrite(id: string, entry: StoredHistoryEntry): Write {
    return {
      op: 'put',
      table: T,
      item: { pk: customerPk(id), sk: historySk(entry.version), ...entry },
      condition: { kind: 'absent' },
      label: 'history',
    };
  }

  private guardWrite(guard: ContactGuard, customerId: string): Write {
    return {
      op: 'put',
      table: T,
      item: { ...guardKey(guard.kind, guard.index), customerId },
      condition: { kind: 'absent' },
      label: guard.field,
    };
  }
}
