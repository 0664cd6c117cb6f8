import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey, shardPartition } from '../../platform/store/sharded.js';
import { RISK_BY_ASSIGNEE, RISK_BY_REASON, RISK_BY_STATUS, RISK_SK_PREFIX, riskFlagKey, riskFlagPointerKey, riskFlagSortKey } from './keys.js';
import type { RiskFlag, RiskReason, RiskStatus } from './types.js';

/** A flag as stored: codes in the clear, the closing note sealed. */
export interface RiskFlagFields extends Omit<RiskFlag, 'note' | 'integrity'> {
  sealedNote?: string;
}

export interface RiskFlagItem extends RiskFlagFields, StoreItem {
  pk: string;
  sk: string;
  kind: 'risk-flag';
}

interface PointerItem extends StoreItem {
  customerId: string;
}

export interface RiskFlagFilters {
  status: RiskStatus;
  reason?: RiskReason;
  assignee?: string;
}

type Page = { limit: number; cursor?: string };

const T = dataTable.name;
/** The index attributes of a stored flag: derived in write() alone. */
export const RISK_FLAG_INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'] as const;
/** Most flags `countUnhandled` counts (the alarm needs to know "many", not how many beyond). */
export const MAX_UNHANDLED_COUNT = 10_000;

/** Storage adapter of risk flags (SAT-3, AN-3). */
export class RiskFlagRepository {
  /** @param shards shards of the risk flag listings (INDEX_SHARDS_RISKFLAGS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  find(customerId: string, id: string): Promise<RiskFlagItem | undefined> {
    return this.store.get<RiskFlagItem>(T, riskFlagKey(customerId, id));
  }

  pointer(id: string): Promise<PointerItem | undefined> {
    return this.store.get<PointerItem>(T, riskFlagPointerKey(id));
  }

  /** The pointer of a new flag, id -> customer: created with it, once. */
  pointerWrite(flag: Pick<RiskFlag, 'id' | 'customerId'>): Write {
    return { op: 'put', table: T, item: { ...riskFlagPointerKey(flag.id), customerId: flag.customerId }, condition: { kind: 'absent' }, label: 'risk-flag-pointer' };
  }

  /** The put of a flag in its new state, conditional on the version it replaces (absent when new). */
  write(flag: RiskFlagFields, expectedVersion?: number): Write {
    const fields = { ...(flag as RiskFlagFields & StoreItem) };
    for (const name of RISK_FLAG_INDEX_ATTRIBUTES) delete fields[name];
    const sort = riskFlagSortKey(flag.raisedAt, flag.id);
    const item: RiskFlagItem = {
      ...fields,
      ...riskFlagKey(flag.customerId, flag.id),
      kind: 'risk-flag',
      gsi1pk: shardKey(RISK_BY_STATUS(flag.status), flag.id, this.shards),
      gsi1sk: sort,
      gsi2pk: shardKey(RISK_BY_REASON(flag.reason, flag.status), flag.id, this.shards),
      gsi2sk: sort,
      ...(flag.assignee ? { gsi3pk: shardKey(RISK_BY_ASSIGNEE(flag.assignee, flag.status), flag.id, this.shards), gsi3sk: sort } : {}),
    };
    return {
      op: 'put',
      table: T,
      item,
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'risk-flag',
    };
  }

  /** Flags, oldest first, through the index that matches: by assignee, else by reason, else by status alone. */
  list(filters: RiskFlagFilters, page: Page): Promise<QueryPage<RiskFlagItem>> {
    const { status, reason, assignee } = filters;
    const [index, prefix] = assignee ? (['gsi3', RISK_BY_ASSIGNEE(assignee, status)] as const) : reason ? (['gsi2', RISK_BY_REASON(reason, status)] as const) : (['gsi1', RISK_BY_STATUS(status)] as const);
    return querySharded<RiskFlagItem>(this.store, {
      table: T,
      index,
      partition: { name: `${index}pk`, prefix, shards: this.shards },
      range: { name: `${index}sk` },
      filters: assignee && reason ? [{ name: 'reason', equals: reason }] : [],
      ...page,
    });
  }

  /** A customer's flags, in no particular order (their own partition, keyed by a random id). */
  ofCustomer(customerId: string, page: Page): Promise<QueryPage<RiskFlagItem>> {
    return this.store.query<RiskFlagItem>({
      table: T,
      partition: { name: 'pk', value: riskFlagKey(customerId, '').pk },
      range: { name: 'sk', from: RISK_SK_PREFIX, to: `${RISK_SK_PREFIX}~` },
      ...page,
    });
  }

  /** Flags of these statuses raised before `before`, at most MAX_UNHANDLED_COUNT, counted shard by shard. */
  async countRaisedBefore(statuses: readonly RiskStatus[], before: string): Promise<number> {
    let total = 0;
    for (const status of statuses) {
      for (let shard = 0; shard < this.shards && total < MAX_UNHANDLED_COUNT; shard += 1) {
        total += await this.store.count({
          table: T,
          index: 'gsi1',
          partition: { name: 'gsi1pk', value: shardPartition(RISK_BY_STATUS(status), shard) },
          range: { name: 'gsi1sk', to: `${before}#` },
          max: MAX_UNHANDLED_COUNT - total,
        });
      }
    }
    return Math.min(total, MAX_UNHANDLED_COUNT);
  }
}
