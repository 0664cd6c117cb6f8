/**
 * The one definition of Kehu's tables. The CDK stacks and the local bootstrap both build
 * their tables from this, so the two can never drift apart.
 */
export interface KeyAttribute {
  name: string;
  type: 'S' | 'N';
}

export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
}

/** An index keyed by two string attributes. */
const stringIndex = (name: string, partition: string, sort: string): IndexDefinition => ({
  name,
  partitionKey: { name: partition, type: 'S' },
  sortKey: { name: sort, type: 'S' },
});

export interface TableDefinition {
  /** Logical name, used by services; the physical name is `${prefix}-${name}`. */
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry; DynamoDB Local ignores it, readers filter. */
  ttlAttribute?: string;
  /** A stream of each new item's image, for a consumer of the writes (the access detector reads the audit trail's). */
  stream?: 'NEW_IMAGE';
}

/**
 * The customer aggregate: profile, history, uniqueness guards and idempotency records.
 * - `gsi1`: listings by entity kind (`gsi1pk` = kind, `gsi1sk` = sortable id/number);
 * - `gsi2`: schedules (`gsi2pk` = what is due, `gsi2sk` = due date + id);
 * - `gsi3`: retention (`gsi3pk` = data category, `gsi3sk` = the date its clock runs from), and
 *   work queues (`COMPLAINT#DEPT#<department>#<n>`, received time + id);
 * - `gsi4`: what is overdue (`COMPLAINT#OVERDUE#<n>`, the missed deadline + id).
 * A partition key every item of its kind would share is sharded (`<kind>#<n>`, sharded.ts;
 * docs/scaling.md), and read shard by shard, merged.
 */
export const dataTable: TableDefinition = {
  name: 'data',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [stringIndex('gsi1', 'gsi1pk', 'gsi1sk'), stringIndex('gsi2', 'gsi2pk', 'gsi2sk'), stringIndex('gsi3', 'gsi3pk', 'gsi3sk'), stringIndex('gsi4', 'gsi4pk', 'gsi4sk')],
  ttlAttribute: 'expiresAt',
};

/**
 * Wrapped per-customer data keys, kept apart because their lifecycle differs: destroying a
 * key here (and in this table's short backup window) is what makes erasure reach backups.
 */
export const keysTable: TableDefinition = {
  name: 'keys',
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [],
};

/**
 * The audit trail (SEC-4): append-only, hash-chained in a few parallel chains so that no
 * request waits on one global sequence. Entries are keyed by chain and sequence number.
 * - `gsi1`: by target (`TARGET#<type>#<id>`, time);
 * - `gsi2`: by actor (`ACTOR#<id>`, time);
 * - `gsi3`: each chain by time, to find the sequence range a verification covers.
 * Its stream feeds the access detector (SEC-6).
 */
export const auditTable: TableDefinition = {
  name: 'audit',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [stringIndex('gsi1', 'gsi1pk', 'gsi1sk'), stringIndex('gsi2', 'gsi2pk', 'gsi2sk'), stringIndex('gsi3', 'pk', 'gsi3sk')],
  stream: 'NEW_IMAGE',
};

export const tableDefinitions: readonly TableDefinition[] = [dataTable, keysTable, auditTable];

export const physicalTableName = (prefix: string, table: TableDefinition | string): string =>
  `${prefix}-${typeof table === 'string' ? table : table.name}`;
