/**
 * A narrow item store: what the services need from DynamoDB and nothing more, so that the
 * core never imports the AWS SDK. Tables are named by their logical name (see
 * `shared/platform/store/tables.ts`); the adapter maps them to physical names.
 */
export type StoreItem = Record<string, unknown>;

export type Condition =
  /** The item must not exist yet (uniqueness guards, creates). */
  | { kind: 'absent' }
  /** The item must exist with this `version` (optimistic locking). */
  | { kind: 'version'; version: number }
  /** The item must exist. */
  | { kind: 'exists' };

export type Write =
  | { op: 'put'; table: string; item: StoreItem; condition?: Condition; label?: string }
  | { op: 'delete'; table: string; key: StoreItem; condition?: Condition; label?: string }
  | { op: 'check'; table: string; key: StoreItem; condition: Condition; label?: string }
  /** Atomically adds each counter (negative to subtract) to the item, creating it when absent. */
  | { op: 'add'; table: string; key: StoreItem; counters: Record<string, number>; label?: string };

export interface QueryInput {
  table: string;
  index?: string;
  /** Equality on the partition key: `{ name, value }`. */
  partition: { name: string; value: string };
  /** Optional sort-key range, inclusive. */
  range?: { name: string; from?: string; to?: string };
  /** Equality filters on plain attributes; `contains` checks list membership. */
  filters?: Array<{ name: string; equals?: string | number; contains?: string }>;
  limit: number;
  cursor?: string;
  descending?: boolean;
  /** Strongly consistent read (base table only). */
  consistent?: boolean;
}

/** What `count` reads: a query's partition, sort-key range and filters, counted up to `max`. */
export type CountInput = Omit<QueryInput, 'limit' | 'cursor' | 'descending'> & { max: number };

export interface QueryPage<T> {
  items: T[];
  /** Opaque; pass back to continue. Absent on the last page. */
  cursor?: string;
}

/**
 * Seals and opens a continuation that a caller composes itself (a listing merged from
 * several partitions), under the same authentication as the store's own query cursors.
 */
export interface CursorSeal {
  seal(continuation: string, scope: QueryInput): Promise<string>;
  open(cursor: string, scope: QueryInput): Promise<string>;
}

export interface Store {
  /** Present on a store whose cursors are authenticated; composed cursors must use it. */
  readonly cursors?: CursorSeal;
  get<T extends StoreItem>(table: string, key: StoreItem): Promise<T | undefined>;
  getMany<T extends StoreItem>(table: string, keys: StoreItem[]): Promise<T[]>;
  query<T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>>;
  /**
   * How many items a query matches, at most `max` (the answer is `max` when there are more).
   * No item is returned; the read costs the capacity of reading them all the same.
   */
  count(input: CountInput): Promise<number>;
  /**
   * Atomically adds `by` (1 unless given) to a numeric attribute and answers its new value:
   * concurrent callers each get a value of their own, and `by` values below it are theirs too.
   */
  increment(table: string, key: StoreItem, attribute: string, by?: number): Promise<number>;
  /**
   * All or nothing. When a condition fails, throws `ConditionFailedError` carrying the
   * labels of the writes whose condition failed.
   */
  transact(writes: Write[]): Promise<void>;
}

export class ConditionFailedError extends Error {
  constructor(readonly labels: string[]) {
    super(`Condition failed: ${labels.join(', ') || 'unknown'}`);
    this.name = 'ConditionFailedError';
  }
}
