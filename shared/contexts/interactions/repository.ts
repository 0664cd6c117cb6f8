import { createHash } from 'node:crypto';
import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, shardKey } from '../../platform/store/sharded.js';
import type { Interaction } from './types.js';

/** What an interaction's content hash covers. */
export interface InteractionContent {
  id: string;
  customerId: string;
  channel: Interaction['channel'];
  occurredAt: string;
  sealed: { place?: string; participants: string; summary: string; attachments?: string };
  recordedBy: string;
  recordedAt: string;
}

/** Stored interaction: personal content sealed under the customer's key. */
export interface InteractionItem extends InteractionContent, StoreItem {
  pk: string;
  sk: string;
  kind: 'interaction';
  contentHash: string;
}

const T = dataTable.name;
const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
const interactionSk = (occurredAt: string, id: string) => `INTERACTION#${occurredAt}#${id}`;
/** The sharded retention partition of interactions (RET-1), which every interaction would share. */
export const INTERACTION_RETENTION = 'RETAIN#interaction';

/**
 * The content hash an audit entry fixes: every stored field but the hash, ciphertexts
 * included, so verification needs no key and notices any change to the stored record.
 */
export function interactionHash(item: InteractionContent): string {
  const fields = [
    'kehu-interaction-1',
    item.customerId,
    item.id,
    item.channel,
    item.occurredAt,
    item.sealed.place ?? null,
    item.sealed.participants,
    item.sealed.summary,
    item.sealed.attachments ?? null,
    item.recordedBy,
    item.recordedAt,
  ];
  return createHash('sha256').update(JSON.stringify(fields), 'utf8').digest('hex');
}

/** Storage adapter of interaction records, under the customer's partition. */
export class InteractionRepository {
  /** @param shards shards of the retention partition (INDEX_SHARDS_INTERACTIONS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  /** The retention index keys of an interaction: its clock runs from when it happened. */
  retentionKeys(customerId: string, occurredAt: string, id: string): { gsi3pk: string; gsi3sk: string } {
    return { gsi3pk: shardKey(INTERACTION_RETENTION, id, this.shards), gsi3sk: `${occurredAt}#${customerId}#${id}` };
  }

  createWrite(item: InteractionItem): Write {
    return { op: 'put', table: T, item, condition: { kind: 'absent' }, label: 'interaction' };
  }

  find(customerId: string, occurredAt: string, id: string): Promise<InteractionItem | undefined> {
    return this.store.get<InteractionItem>(T, InteractionRepository.keyOf(customerId, occurredAt, id));
  }

  list(customerId: string, page: { limit: number; cursor?: string }): Promise<QueryPage<InteractionItem>> {
    return this.store.query<InteractionItem>({
      table: T,
      partition: { name: 'pk', value: customerPk(customerId) },
      range: { name: 'sk', from: 'INTERACTION#', to: 'INTERACTION#~' },
      descending: true,
      ...page,
    });
  }

  static keyOf(customerId: string, occurredAt: string, id: string) {
    return { pk: customerPk(customerId), sk: interactionSk(occurredAt, id) };
  }
}
