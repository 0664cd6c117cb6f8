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

  /** A pointer under the customer's partition, so their requests are found without a scan. */
  pointerWrite(item: RequestFields): Write {
    return { op: 'put', table: T, item: { pk: `CUSTOMER#${item.customerId}`, sk: `REQUEST#${item.receivedAt}#${item.id}`, requestId: item.id } };
  }

  /** A customer's requests, newest first, through their pointers. */
  async ofCustomer(customerId: string, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    const pointers = await this.store.query<StoreItem & { requestId: string }>({
      table: T,
      partition: { name: 'pk', value: `CUSTOMER#${customerId}` },
      range: { name: 'sk', from: 'REQUEST#', to: 'REQUEST#~' },
      descending: true,
      ...page,
    });
    const items = pointers.items.length ? await this.store.getMany<RequestItem>(T, pointers.items.map((p) => key(p.requestId))) : [];
    items.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    return pointers.cursor ? { items, cursor: pointers.cursor } : { items };
  }

  list(filters: { status?: RequestStatus; customerId?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<RequestItem>> {
    if (filters.customerId) {
      const status = filters.status;
      return this.ofCustomer(filters.customerId, page).then((r) => (status ? { ...r, items: r.items.filter((i) => i.status === status) } : r));
    }
    return this.store.query<RequestItem>({
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', value: 'REQUEST' },
      filters: filters.status ? [{ name: 'status', equals: filters.status }] : [],
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
