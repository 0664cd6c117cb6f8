import type { QueryPage, Store, StoreItem, Write } from '../ports/index.js';
import { auditTable } from '../store/tables.js';
import type { AuditEntry } from './types.js';

interface AuditItem extends AuditEntry, StoreItem {
  pk: string;
  sk: string;
  gsi1pk: string;
  gsi1sk: string;
  gsi2pk: string;
  gsi2sk: string;
  gsi3sk: string;
}

const T = auditTable.name;
const chainPk = (chain: number) => `CHAIN#${chain}`;
const seqSk = (seq: number) => String(seq).padStart(12, '0');
const targetPk = (type: string, id: string) => `TARGET#${type}#${id}`;
const actorPk = (id: string) => `ACTOR#${id}`;
const PAGE = 500;

const toEntry = ({ pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3sk: _e, ...entry }: AuditItem): AuditEntry =>
  entry as AuditEntry;

/** Storage adapter of the audit trail. It only ever writes new items. */
export class AuditRepository {
  constructor(private readonly store: Store) {}

  async head(chain: number): Promise<AuditEntry | undefined> {
    const page = await this.store.query<AuditItem>({
      table: T,
      partition: { name: 'pk', value: chainPk(chain) },
      descending: true,
      limit: 1,
      consistent: true,
    });
    const [item] = page.items;
    return item ? toEntry(item) : undefined;
  }

  /** Puts that fail if the sequence number is taken (a concurrent append won): label `audit`. */
  appendWrites(entries: AuditEntry[]): Write[] {
    return entries.map((entry) => {
      const order = `${entry.at}#${entry.chain}#${seqSk(entry.seq)}`;
      const item: AuditItem = {
        ...entry,
        pk: chainPk(entry.chain),
        sk: seqSk(entry.seq),
        gsi1pk: targetPk(entry.targetType, entry.targetId),
        gsi1sk: order,
        gsi2pk: actorPk(entry.actor),
        gsi2sk: order,
        gsi3sk: order,
      };
      return { op: 'put', table: T, item, condition: { kind: 'absent' }, label: 'audit' };
    });
  }

  async list(
    by: { target: { type: string; id: string } } | { actor: string },
    window: { from?: string; to?: string },
    page: { limit: number; cursor?: string },
  ): Promise<QueryPage<AuditEntry>> {
    const [index, value] = 'target' in by ? ['gsi1', targetPk(by.target.type, by.target.id)] : ['gsi2', actorPk(by.actor)];
    const result = await this.store.query<AuditItem>({
      table: T,
      index,
      partition: { name: `${index}pk`, value },
      range: { name: `${index}sk`, ...(window.from ? { from: window.from } : {}), ...(window.to ? { to: `${window.to}~` } : {}) },
      descending: true,
      ...page,
    });
    return { ...result, items: result.items.map(toEntry) };
  }

  /** Every entry of one chain written within the window, in time order (at most `max`). */
  async chainWindow(chain: number, from: string, to: string, max: number): Promise<AuditEntry[]> {
    return this.drain(
      (cursor) =>
        this.store.query<AuditItem>({
          table: T,
          index: 'gsi3',
          partition: { name: 'pk', value: chainPk(chain) },
          range: { name: 'gsi3sk', from, to: `${to}~` },
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        }),
      max,
    );
  }

  /** Entries `fromSeq` to `toSeq` of one chain, in sequence order. */
  async chainRange(chain: number, fromSeq: number, toSeq: number): Promise<AuditEntry[]> {
    return this.drain(
      (cursor) =>
        this.store.query<AuditItem>({
          table: T,
          partition: { name: 'pk', value: chainPk(chain) },
          range: { name: 'sk', from: seqSk(fromSeq), to: seqSk(toSeq) },
          limit: PAGE,
          ...(cursor ? { cursor } : {}),
        }),
      Number.MAX_SAFE_INTEGER,
    );
  }

  private async drain(query: (cursor?: string) => Promise<QueryPage<AuditItem>>, max: number): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await query(cursor);
      entries.push(...page.items.map(toEntry));
      cursor = page.cursor;
    } while (cursor && entries.length < max);
    return entries;
  }
}
