import type { DataKeyRing } from '../../platform/crypto/index.js';
import { openJson, sealJson } from '../../platform/crypto/index.js';
import type { Condition, QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import { INCIDENT_LIST, INCIDENT_UNCLOSED, incidentKey, incidentKeyId } from './keys.js';
import type { IncidentRecord, IncidentStatus, IncidentText } from './types.js';

const T = dataTable.name;
/** Attributes of the stored item beside the record's fields: derived on write, dropped on read. */
const STORED_ONLY = ['pk', 'sk', 'kind', 'sealedText', 'mode', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;
/** The text's seal context: bound to the incident, so a blob copied to another fails to open. */
export const incidentTextContext = (id: string) => ({ customerId: incidentKeyId(id), field: 'incident-text' });

type Page = { limit: number; cursor?: string };

interface IncidentItem extends StoreItem {
  pk: string;
  sk: string;
  kind: 'incident';
  sealedText: string;
  /** `drill` or `live`: the listing's filter (a filter compares strings and numbers only). */
  mode: 'drill' | 'live';
}

interface IdempotencyItem extends StoreItem {
  incidentId: string;
  requestHash: string;
  expiresAt: number;
}
const idempotencyKey = (scope: string) => ({ pk: `IDEMPOTENCY#${scope}`, sk: 'IDEMPOTENCY' });

/** Storage adapter of incident records (keys.ts): clear codes and times, the free text sealed as one blob. */
export class IncidentRepository {
  /** @param shards shards of the incident listings (family `incidents`). */
  constructor(
    private readonly store: Store,
    private readonly keys: Pick<DataKeyRing, 'create' | 'get' | 'remember'>,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  /** The record with its text opened; a text that fails to open throws SealError (an integrity failure). */
  async find(id: string): Promise<IncidentRecord | undefined> {
    const item = await this.store.get<IncidentItem>(T, incidentKey(id));
    return item && this.open(item);
  }

  /** The writes of a new incident: its data key and the record, which must not exist yet. */
  async createWrites(record: IncidentRecord): Promise<{ writes: Write[]; remember: () => void }> {
    const { key, write } = await this.keys.create(incidentKeyId(record.id), new Date(record.createdAt));
    return { writes: [write, this.put(key, record, { kind: 'absent' })], remember: () => this.keys.remember(incidentKeyId(record.id), key) };
  }

  /** The put of a changed record, conditional on the version it replaces. */
  async updateWrite(record: IncidentRecord, expectedVersion: number): Promise<Write> {
    if (record.version !== expectedVersion + 1) throw new Error(`An incident's version moves by one: ${expectedVersion} to ${record.version}.`);
    const key = await this.keys.get(incidentKeyId(record.id));
    return this.put(key, record, { kind: 'version', version: expectedVersion });
  }

  /** Incidents, newest first, optionally of one status or only drills (or only real ones). */
  async list(filters: { status?: IncidentStatus; drill?: boolean }, page: Page): Promise<QueryPage<IncidentRecord>> {
    const result = await querySharded<IncidentItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: INCIDENT_LIST, shards: this.shards },
      range: { name: 'gsi1sk' },
      descending: true,
      filters: [
        ...(filters.status ? [{ name: 'status', equals: filters.status }] : []),
        ...(filters.drill !== undefined ? [{ name: 'mode', equals: filters.drill ? 'drill' : 'live' }] : []),
      ],
      ...page,
    });
    return this.opened(result);
  }

  /** Incidents not closed, oldest awareness first: the deadline monitor's. */
  async unclosed(page: Page): Promise<QueryPage<IncidentRecord>> {
    const result = await querySharded<IncidentItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: INCIDENT_UNCLOSED, shards: this.shards },
      range: { name: 'gsi2sk' },
      ...page,
    });
    return this.opened(result);
  }

  /** The record of a create made with an Idempotency-Key (expired ones are not answered). */
  async findIdempotency(scope: string, now: Date): Promise<IdempotencyItem | undefined> {
    const item = await this.store.get<IdempotencyItem>(T, idempotencyKey(scope));
    return item && item.expiresAt > Math.floor(now.getTime() / 1000) ? item : undefined;
  }

  idempotencyWrite(scope: string, record: { incidentId: string; requestHash: string; expiresAt: number }): Write {
    return { op: 'put', table: T, item: { ...idempotencyKey(scope), ...record }, condition: { kind: 'absent' }, label: 'idempotency' };
  }

  private put(key: Buffer, record: IncidentRecord, condition: Condition): Write {
    const { text, ...fields } = record;
    const item: IncidentItem = {
      ...fields,
      ...incidentKey(record.id),
      kind: 'incident',
      sealedText: sealJson(key, text, incidentTextContext(record.id))!,
      mode: record.drill ? 'drill' : 'live',
      gsi1pk: shardKey(INCIDENT_LIST, record.id, this.shards),
      gsi1sk: `${record.createdAt}#${record.id}`,
      // Only unclosed incidents stay in the monitor's index.
      ...(record.status !== 'closed' ? { gsi2pk: shardKey(INCIDENT_UNCLOSED, record.id, this.shards), gsi2sk: `${record.awareAt}#${record.id}` } : {}),
    };
    return { op: 'put', table: T, item, condition, label: 'incident' };
  }

  private async open(item: IncidentItem): Promise<IncidentRecord> {
    const fields: Record<string, unknown> = { ...item };
    for (const name of STORED_ONLY) delete fields[name];
    const text = openJson<IncidentText>(await this.keys.get(incidentKeyId(item.id as string)), item.sealedText, incidentTextContext(item.id as string))!;
    return { ...(fields as unknown as Omit<IncidentRecord, 'text'>), text };
  }

  private async opened(page: QueryPage<IncidentItem>): Promise<QueryPage<IncidentRecord>> {
    const items = await Promise.all(page.items.map((item) => this.open(item)));
    return page.cursor ? { items, cursor: page.cursor } : { items };
  }
}
