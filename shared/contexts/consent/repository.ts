import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import type { ConsentEvent, ConsentStatus, Purpose } from './types.js';

interface PurposeItem extends Purpose, StoreItem {
  pk: string;
  sk: 'PURPOSE';
  gsi1pk: typeof PURPOSE_LIST;
  gsi1sk: string;
}

export interface ConsentStateFields {
  customerId: string;
  purposeId: string;
  status: ConsentStatus;
  noticeVersion: string;
  channel: string;
  at: string;
  version: number;
}

export interface ConsentStateItem extends ConsentStateFields, StoreItem {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
}

/** A consent event as stored: its evidence sealed. */
export interface ConsentLogFields extends Omit<ConsentEvent, 'evidence'> {
  sealedEvidence?: string;
}

export interface ConsentLogItem extends ConsentLogFields, StoreItem {
  pk: string;
  sk: string;
}

const T = dataTable.name;
const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
const stateSk = (purposeId: string) => `CONSENT#STATE#${purposeId}`;
/** A purpose's consents, sharded by customer: every consenting customer would share it. */
export const purposeIndex = (purposeId: string) => `CONSENT#${purposeId}`;
/**
 * Purposes themselves stay under one constant key: a handful of configuration items,
 * written by a DPO a few times a year (docs/scaling.md).
 */
export const PURPOSE_LIST = 'PURPOSE';

const stripKeys = <T extends StoreItem>({ pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, ...rest }: T) => rest;

/** Storage adapter of purposes and consents (state per purpose, plus the full log). */
export class ConsentRepository {
  /** @param shards shards of each purpose's consent partition (INDEX_SHARDS_CONSENTS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  async purpose(id: string): Promise<(Purpose & { version: number }) | undefined> {
    const item = await this.store.get<PurposeItem>(T, { pk: `PURPOSE#${id}`, sk: 'PURPOSE' });
    return item ? (stripKeys(item) as unknown as Purpose) : undefined;
  }

  async purposes(): Promise<Purpose[]> {
    const page = await this.store.query<PurposeItem>({ table: T, index: 'gsi1', partition: { name: 'gsi1pk', value: PURPOSE_LIST }, limit: 200 });
    return page.items.map((item) => stripKeys(item) as unknown as Purpose);
  }

  purposeWrite(purpose: Purpose, expectedVersion?: number): Write {
    return {
      op: 'put',
      table: T,
      item: { ...purpose, pk: `PURPOSE#${purpose.id}`, sk: 'PURPOSE', gsi1pk: PURPOSE_LIST, gsi1sk: purpose.id },
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'purpose',
    };
  }

  state(customerId: string, purposeId: string): Promise<ConsentStateItem | undefined> {
    return this.store.get<ConsentStateItem>(T, { pk: customerPk(customerId), sk: stateSk(purposeId) });
  }

  states(customerId: string): Promise<QueryPage<ConsentStateItem>> {
    return this.store.query<ConsentStateItem>({
      table: T,
      partition: { name: 'pk', value: customerPk(customerId) },
      range: { name: 'sk', from: 'CONSENT#STATE#', to: 'CONSENT#STATE#~' },
      limit: 100,
    });
  }

  /** The states of many customers for one purpose. */
  statesOf(customerIds: string[], purposeId: string): Promise<ConsentStateItem[]> {
    return this.store.getMany<ConsentStateItem>(T, customerIds.map((id) => ({ pk: customerPk(id), sk: stateSk(purposeId) })));
  }

  log(customerId: string): Promise<QueryPage<ConsentLogItem>> {
    return this.store.query<ConsentLogItem>({
      table: T,
      partition: { name: 'pk', value: customerPk(customerId) },
      range: { name: 'sk', from: 'CONSENT#LOG#', to: 'CONSENT#LOG#~' },
      descending: true,
      limit: 100,
    });
  }

  /** Consents given for a purpose, any notice version, a page at a time. */
  given(purposeId: string, page: { limit: number; cursor?: string }): Promise<QueryPage<ConsentStateItem>> {
    return querySharded<ConsentStateItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: purposeIndex(purposeId), shards: this.shards, legacy: true },
      range: { name: 'gsi1sk', from: 'given#', to: 'given#~' },
      ...page,
    });
  }

  /** The new state (conditional on the one read) and its log entry, for one transaction. */
  recordWrites(state: ConsentStateFields, log: ConsentLogFields, previousVersion?: number): Write[] {
    const { customerId, purposeId } = state;
    return [
      {
        op: 'put',
        table: T,
        item: { ...state, pk: customerPk(customerId), sk: stateSk(purposeId), gsi1pk: shardKey(purposeIndex(purposeId), customerId, this.shards), gsi1sk: `${state.status}#${customerId}` },
        condition: previousVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: previousVersion },
        label: 'consent',
      },
      {
        op: 'put',
        table: T,
        item: { ...log, pk: customerPk(customerId), sk: `CONSENT#LOG#${log.at}#${purposeId}#${state.version}` },
        condition: { kind: 'absent' },
        label: 'consent-log',
      },
    ];
  }
}
