import type { QueryPage, Store, StoreItem, Write } from '../ports/index.js';
import { dataTable } from '../store/tables.js';
import { isOpen } from './state-machine.js';
import type { RequestStatus, SubjectRequest } from './types.js';

/** Stored request: the customer's own words sealed; open requests indexed by due date. */
export interface RequestFields extends Omit<SubjectRequest, 'details'> {
  sealedDetails?: string;
}

export interface RequestItem extends RequestFields, StoreItem {
  pk: string;
  sk: 'REQUEST';
}

const T = dataTable.name;
const key = (id: string) => ({ pk: `REQUEST#${id}`, sk: 'REQUEST' as const });

/** Storage adapter of data-subject requests. */
export class RequestRepository {
  constructor(private readonly store: Store) {}

  find(id: string): Promise<RequestItem | undefined> {
    return this.store.get<RequestItem>(T, key(id));
  }

  /** The put of a request in its new state, conditional on the version it replaces. */
  write(item: RequestFields, expectedVersion?: number): Write {
    const indexed = {
      ...item,
      ...key(item.id),
      gsi1pk: 'REQUEST',
      gsi1sk: `${item.receivedAt}#${item.id}`,
      // Only open requests sit in the deadline index (a sparse index).
      ...(isOpen(item.status) ? { gsi2pk: 'REQUEST#OPEN', gsi2sk: `${item.dueAt}#${item.id}` } : {}),
    };
    return {
      op: 'put',
      table: T,
      item: indexed,
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'request',
    };
  }

  list(filters: { status?: RequestStatus; customerId?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    return this.store.query<RequestItem>({
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', value: 'REQUEST' },
      filters: [
        ...(filters.status ? [{ name: 'status', equals: filters.status }] : []),
        ...(filters.customerId ? [{ name: 'customerId', equals: filters.customerId }] : []),
      ],
      descending: true,
      ...page,
    });
  }

  /** Open requests due on or before `cutoff`, soonest first. */
  dueBy(cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    return this.store.query<RequestItem>({
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', value: 'REQUEST#OPEN' },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }
}
