import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { querySharded, shardKey } from '../../platform/store/sharded.js';
import { AFFECTED_SHARDS, affectedKey, counters, INCIDENT_STATS_SHARDS, SCOPE_RUN_PREFIX, scopeRunKey, scopeStatsKey, statsShardOf } from './keys.js';
import type { IncidentDataCategory, Jurisdiction, ScopeCounts, ScopeRun } from './types.js';

const T = dataTable.name;

/**
 * Unfinished scope runs, for the resume sweep: `INCIDENT#SCOPING#<n>` on gsi2 (sort
 * `<updatedAt>#<incidentId>#<runId>`), kept while a run is running. Few runs run at once, so
 * a few shards suffice; the count is fixed (fewer would hide runs in the dropped shards).
 */
export const SCOPE_RUNNING = 'INCIDENT#SCOPING';
export const SCOPE_RUNNING_SHARDS = 4;

/** A scope run as stored: its position in the source beside what ScopeRun shows. */
export interface ScopeRunFields extends ScopeRun {
  incidentId: string;
  startedBy: string;
  updatedAt: string;
  version: number;
  /** The source's own continuation (a sealed store cursor, or an index into an explicit list). */
  cursor?: string;
  /** Customers read from the source beyond one page's writes: the next pages write them first. */
  carry?: string[];
  /** The source is read to its end: only `carry` is left. */
  sourceDone?: boolean;
}
interface ScopeRunItem extends ScopeRunFields, StoreItem {
  kind: 'incident-scope-run';
}

/** One affected customer: a pseudonymous id and where they live as far as the law goes. */
export interface AffectedCustomer {
  customerId: string;
  region: string;
  jurisdiction: Jurisdiction;
  addedAt: string;
}
interface AffectedItem extends AffectedCustomer, StoreItem {
  kind: 'incident-affected';
  incidentId: string;
  runId: string;
}

const RUN_FIELDS = ['id', 'source', 'state', 'read', 'added', 'pages', 'startedAt', 'finishedAt'] as const;

/** What a run shows: its position and carry are the job's business. */
export function presentRun(run: ScopeRunFields): ScopeRun {
  const shown: Record<string, unknown> = {};
  for (const name of RUN_FIELDS) if (run[name] !== undefined) shown[name] = run[name];
  return shown as unknown as ScopeRun;
}

/** Storage adapter of scope runs, affected customers and their counters (keys.ts has the layout). */
export class ScopeRepository {
  constructor(private readonly store: Store) {}

  findRun(incidentId: string, runId: string): Promise<ScopeRunItem | undefined> {
    return this.store.get<ScopeRunItem>(T, scopeRunKey(incidentId, runId));
  }

  /** Every run of an incident, oldest first (a handful: one query a page of the incident's partition). */
  async runs(incidentId: string): Promise<ScopeRunFields[]> {
    const runs: ScopeRunItem[] = [];
    let cursor: string | undefined;
    do {
      // `SCOPE#` to `SCOPE#~` leaves out the `SCOPESTATS#` counters (`#` sorts before `S`).
      const page: QueryPage<ScopeRunItem> = await this.store.query<ScopeRunItem>({
        table: T,
        partition: { name: 'pk', value: scopeRunKey(incidentId, '').pk },
        range: { name: 'sk', from: SCOPE_RUN_PREFIX, to: `${SCOPE_RUN_PREFIX}~` },
        limit: 100,
        ...(cursor ? { cursor } : {}),
      });
      runs.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  /** The put of a run, conditional on the version it replaces (absent when new); indexed as running until done. */
  runWrite(run: ScopeRunFields, expectedVersion?: number): Write {
    const { gsi2pk: _p, gsi2sk: _s, ...fields } = run as ScopeRunFields & StoreItem;
    const item: ScopeRunItem = {
      ...(fields as ScopeRunFields),
      ...scopeRunKey(run.incidentId, run.id),
      kind: 'incident-scope-run',
      ...(run.state === 'running' ? { gsi2pk: shardKey(SCOPE_RUNNING, run.id, SCOPE_RUNNING_SHARDS), gsi2sk: `${run.updatedAt}#${run.incidentId}#${run.id}` } : {}),
    };
    return { op: 'put', table: T, item, condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion }, label: 'scope-run' };
  }

  /** Which of these customers are in the incident's affected set already (ids unique). */
  async presentAmong(incidentId: string, customerIds: string[]): Promise<Set<string>> {
    if (!customerIds.length) return new Set();
    const items = await this.store.getMany<AffectedItem>(T, customerIds.map((id) => affectedKey(incidentId, id)));
    return new Set(items.map((item) => String(item.sk)));
  }

  /** A new affected customer, only if absent: a customer found by two runs is in the set once. */
  affectedWrite(incidentId: string, runId: string, customer: AffectedCustomer): Write {
    const item: AffectedItem = { ...affectedKey(incidentId, customer.customerId), kind: 'incident-affected', incidentId, runId, ...customer };
    return { op: 'put', table: T, item, condition: { kind: 'absent' }, label: 'affected' };
  }

  /** The counters of customers newly added by one page, on one shard chosen by the page. */
  statsAdd(incidentId: string, page: string, added: AffectedCustomer[], categories: readonly IncidentDataCategory[]): Write {
    const add: Record<string, number> = { [counters.affected]: added.length };
    const bump = (name: string) => (add[name] = (add[name] ?? 0) + 1);
    for (const customer of added) {
      bump(counters.region(customer.region));
      bump(counters.jurisdiction(customer.jurisdiction));
    }
    for (const category of new Set(categories)) add[counters.category(category)] = added.length;
    return { op: 'add', table: T, key: scopeStatsKey(incidentId, statsShardOf(page)), counters: add, label: 'scope-stats' };
  }

  /** The counts summed over every counter shard: a fixed number of gets, no query. */
  async counts(incidentId: string): Promise<ScopeCounts> {
    const keys = Array.from({ length: INCIDENT_STATS_SHARDS }, (_, shard) => scopeStatsKey(incidentId, shard));
    const items = await this.store.getMany<StoreItem>(T, keys);
    const counts: ScopeCounts = { affected: 0, byRegion: {}, byJurisdiction: {}, byCategory: {} };
    const into = (target: Record<string, number>, name: string, n: number) => (target[name] = (target[name] ?? 0) + n);
    for (const item of items) {
      for (const [name, value] of Object.entries(item)) {
        if (typeof value !== 'number') continue;
        if (name === counters.affected) counts.affected += value;
        else if (name.startsWith('region:')) into(counts.byRegion, name.slice('region:'.length), value);
        else if (name.startsWith('jurisdiction:')) into(counts.byJurisdiction, name.slice('jurisdiction:'.length), value);
        else if (name.startsWith('category:')) into(counts.byCategory, name.slice('category:'.length), value);
      }
    }
    return counts;
  }

  /** The affected set, every shard merged in customer-id order (ids are unique across shards); the cursor is sealed by the store. */
  async affected(incidentId: string, page: { limit: number; cursor?: string }): Promise<QueryPage<AffectedCustomer>> {
    const result = await querySharded<AffectedItem>(this.store, {
      table: T,
      partition: { name: 'pk', prefix: `INCIDENT#${incidentId}#AFFECTED`, shards: AFFECTED_SHARDS },
      range: { name: 'sk' },
      limit: page.limit,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    return { ...result, items: result.items.map(({ customerId, region, jurisdiction, addedAt }) => ({ customerId, region, jurisdiction, addedAt })) };
  }

  /** Running runs whose last page is at or before `cutoff`, oldest first. */
  stalled(cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<ScopeRunItem>> {
    return querySharded<ScopeRunItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: SCOPE_RUNNING, shards: SCOPE_RUNNING_SHARDS },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }
}
