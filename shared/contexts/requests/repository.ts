import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { isOpen } from './state-machine.js';
import type { RequestStatus, SubjectRequest } from './types.js';

/**
 * Stored request: the customer's own words sealed; open requests indexed by due date, and
 * every request by its customer (in gsi3, outside the customer's partition: an erasure
 * deletes that partition, and the requests stay as the record of what was asked and when).
 */
export interface RequestFields extends Omit<SubjectRequest, 'details'> {
  sealedDetails?: string;
  /** The rejection reason, sealed (texts.ts); `rejectionReason` only in requests stored before. */
  sealedRejectionReason?: string;
}

export interface RequestItem extends RequestFields, StoreItem {
  pk: string;
  sk: 'REQUEST';
}

const T = dataTable.name;
const key = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' as const });
/** The sharded index partitions every request (every open one) would share. */
export const REQUEST_LIST = 'REQUEST';
export const OPEN_REQUESTS = 'REQUEST#OPEN';

/** Storage adapter of data-subject requests. */
export class RequestRepository {
  /** @param shards shards of the request listing and deadline partitions (INDEX_SHARDS_REQUESTS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  find(id: string): Promise<RequestItem | undefined> {
    return this.store.get<RequestItem>(T, key(id));
  }

  /** The put of a request in its new state, conditional on the version it replaces. */
  write(item: RequestFields, expectedVersion?: number): Write {
    // Index keys are derived here alone: a stored item passed back in (read, changed, written)
    // must not keep its old ones, or a closed request would stay in the open-deadline index.
    const { gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...fields } = item as RequestFields & StoreItem;
    const indexed = {
      ...fields,
      ...key(item.id),
      gsi1pk: shardKey(REQUEST_LIST, item.id, this.shards),
      gsi1sk: `${item.receivedAt}#${item.id}`,
      // Only open requests sit in the deadline index (a sparse index).
      ...(isOpen(item.status) ? { gsi2pk: shardKey(OPEN_REQUESTS, item.id, this.shards), gsi2sk: `${item.dueAt}#${item.id}` } : {}),
      gsi3pk: `REQUESTS#${item.customerId}`,
      gsi3sk: `${item.receivedAt}#${item.id}`,
    };
    return {
      op: 'put',
      table: T,
      item: indexed,
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'request',
    };
  }

  /** A customer's requests, newest first, whether or not the customer still exists. */
  ofCustomer(customerId: string, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    return this.store.query<RequestItem>({
      table: T,
      index: 'gsi3',
      partition: { name: 'gsi3pk', value: `REQUESTS#${customerId}` },
      descending: true,
      ...page,
    });
  }

  list(filters: { status?: RequestStatus; customerId?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    if (filters.customerId) {
      return this.store.query<RequestItem>({
        table: T,
        index: 'gsi3',
        partition: { name: 'gsi3pk', value: `REQUESTS#${filters.customerId}` },
        filters: filters.status ? [{ name: 'status', equals: filters.status }] : [],
        descending: true,
        ...page,
      });
    }
    return querySharded<RequestItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: REQUEST_LIST, shards: this.shards, legacy: true },
      range: { name: 'gsi1sk' },
      filters: filters.status ? [{ name: 'status', equals: filters.status }] : [],
      descending: true,
      ...page,
    });
  }

  /** Open requests due on or before `cutoff`, soonest first. */
  dueBy(cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    return querySharded<RequestItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: OPEN_REQUESTS, shards: this.shards, legacy: true },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }
}
