import { ConditionFailedError, type CountInput, type QueryInput, type QueryPage, type Store, type StoreItem, type Write } from '../../shared/platform/ports/index.js';

export interface StoreCalls {
  get: number;
  getMany: number;
  query: number;
  increment: number;
  /** `transact` calls, each one `TransactWriteItems` (the store may resend it on a transaction conflict). */
  transact: number;
  /** `transact` calls refused because an audit entry's sequence number was taken (the audit trail retries them). */
  auditConflicts: number;
  total: number;
}

/**
 * A Store that counts the calls it passes on, as the services make them through the port.
 * Passed to the container as `overrides.store`, so the production wiring is otherwise the same.
 */
export class CountingStore implements Store {
  private readonly counts = { get: 0, getMany: 0, query: 0, increment: 0, transact: 0, auditConflicts: 0 };

  constructor(private readonly inner: Store) {}

  get<T extends StoreItem>(table: string, key: StoreItem): Promise<T | undefined> {
    this.counts.get += 1;
    return this.inner.get<T>(table, key);
  }

  getMany<T extends StoreItem>(table: string, keys: StoreItem[]): Promise<T[]> {
    this.counts.getMany += 1;
    return this.inner.getMany<T>(table, keys);
  }

  query<T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>> {
    this.counts.query += 1;
    return this.inner.query<T>(input);
  }

  /** One query call (Select COUNT), counted as one. */
  count(input: CountInput): Promise<number> {
    this.counts.query += 1;
    return this.inner.count(input);
  }

  increment(table: string, key: StoreItem, attribute: string, by?: number): Promise<number> {
    this.counts.increment += 1;
    return this.inner.increment(table, key, attribute, by);
  }

  async transact(writes: Write[]): Promise<void> {
    this.counts.transact += 1;
    try {
      await this.inner.transact(writes);
    } catch (error) {
      if (error instanceof ConditionFailedError && error.labels.length > 0 && error.labels.every((l) => l === 'audit')) {
        this.counts.auditConflicts += 1;
      }
      throw error;
    }
  }

  calls(): StoreCalls {
    const { get, getMany, query, increment, transact, auditConflicts } = this.counts;
    return { ...this.counts, total: get + getMany + query + increment + transact, auditConflicts };
  }
}

export const storeCallsBetween = (before: StoreCalls, after: StoreCalls): StoreCalls => ({
  get: after.get - before.get,
  getMany: after.getMany - before.getMany,
  query: after.query - before.query,
  increment: after.increment - before.increment,
  transact: after.transact - before.transact,
  auditConflicts: after.auditConflicts - before.auditConflicts,
  total: after.total - before.total,
});

/** The calls of two runs together. */
export const addCalls = (a: StoreCalls, b: StoreCalls): StoreCalls => ({
  get: a.get + b.get,
  getMany: a.getMany + b.getMany,
  query: a.query + b.query,
  increment: a.increment + b.increment,
  transact: a.transact + b.transact,
  auditConflicts: a.auditConflicts + b.auditConflicts,
  total: a.total + b.total,
});
