import type { QueryPage, Store, StoreItem } from '../../platform/ports/index.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import { FINDINGS_PARTITION, findingKey, findingSortKey, hourOf } from './keys.js';
import type { Finding, FindingLevel, FindingRule } from './types.js';

const T = dataTable.name;

export interface FindingItem extends Finding, StoreItem {
  pk: string;
  sk: 'FINDING';
  kind: 'finding';
  version: number;
}

export interface FindingFilters {
  rule?: FindingRule;
  level?: FindingLevel;
  /** ISO times (or hours, `YYYY-MM-DDTHH`) bounding the hour counted, inclusive. */
  from?: string;
  to?: string;
}

const strip = (item: FindingItem): Finding => {
  const { pk: _pk, sk: _sk, kind: _kind, version: _version, gsi1pk: _a, gsi1sk: _b, ...finding } = item;
  return finding as Finding;
};

/** Storage of findings: one item each, listed newest hour first through a sharded index. */
export class FindingRepository {
  /** @param shards shards of the findings listing (INDEX_SHARDS_FINDINGS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  async find(id: string): Promise<{ finding: Finding; version: number } | undefined> {
    const item = await this.store.get<FindingItem>(T, findingKey(id));
    return item ? { finding: strip(item), version: item.version } : undefined;
  }

  /** Puts a finding, new (absent) or replacing `expectedVersion`; a lost race throws ConditionFailedError. */
  async save(finding: Finding, expectedVersion?: number): Promise<void> {
    const item: FindingItem = {
      ...finding,
      ...findingKey(finding.id),
      kind: 'finding',
      version: (expectedVersion ?? 0) + 1,
      gsi1pk: shardKey(FINDINGS_PARTITION, finding.id, this.shards),
      gsi1sk: findingSortKey(finding.hour, finding.id),
    };
    await this.store.transact([
      { op: 'put', table: T, item, condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion }, label: 'finding' },
    ]);
  }

  async list(filters: FindingFilters, page: { limit: number; cursor?: string }): Promise<QueryPage<Finding>> {
    const range = {
      name: 'gsi1sk',
      ...(filters.from ? { from: hourOf(filters.from) } : {}),
      ...(filters.to ? { to: `${hourOf(filters.to)}#~` } : {}),
    };
    const result = await querySharded<FindingItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: FINDINGS_PARTITION, shards: this.shards },
      range,
      filters: [...(filters.rule ? [{ name: 'rule', equals: filters.rule }] : []), ...(filters.level ? [{ name: 'level', equals: filters.level }] : [])],
      descending: true,
      ...page,
    });
    const items = result.items.map(strip);
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }
}
