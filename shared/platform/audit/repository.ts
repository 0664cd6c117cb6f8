import type { QueryPage, Store, StoreItem, Write } from '../ports/index.js';
import { auditTable } from '../store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../store/sharded.js';
import type { AuditEntry } from './types.js';

/** Entries as stored: legacy (`kehu-audit-1`) items carry no format and name their links `hash`/`prevHash`. */
interface AuditItem extends StoreItem {
  pk: string;
  sk: string;
  format?: AuditEntry['format'];
  mac?: string;
  prevMac?: string;
  hash?: string;
  prevHash?: string;
}

const T = auditTable.name;
const chainPk = (chain: number) => `CHAIN#${chain}`;
const seqSk = (seq: number) => String(seq).padStart(12, '0');
const targetPk = (type: string, id: string) => `TARGET#${type}#${id}`;
/**
 * An actor's entries, sharded by entry: one actor (the system's sweeps and erasures, an
 * export of thousands of records) may write far more than one partition key takes.
 */
const actorPrefix = (id: string) => `ACTOR#${id}`;
/** Most entries one query of a chain range asks for: well under DynamoDB's 1 MB a page. */
export const RANGE_PAGE = 500;

function toEntry(item: AuditItem): AuditEntry {
  const { pk: _pk, sk: _sk, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3sk: _e, format, mac, prevMac, hash, prevHash, ...rest } = item;
  return {
    ...(rest as Omit<AuditEntry, 'format' | 'mac' | 'prevMac'>),
    format: format ?? 'kehu-audit-1',
    mac: mac ?? hash ?? '',
    prevMac: prevMac ?? prevHash ?? '',
  };
}

/** An entry from its stored item (a stream's new image too): index attributes dropped, legacy links renamed. */
export const auditEntryOfItem = (item: StoreItem): AuditEntry => toEntry(item as AuditItem);

/** Storage adapter of the audit trail. It only ever writes new items. */
export class AuditRepository {
  /** @param actorShards shards of each actor's partition (INDEX_SHARDS_AUDIT_ACTORS). */
  constructor(
    private readonly store: Store,
    private readonly actorShards: number = DEFAULT_INDEX_SHARDS,
  ) {}

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
      const item = {
        ...entry,
        pk: chainPk(entry.chain),
        sk: seqSk(entry.seq),
        gsi1pk: targetPk(entry.targetType, entry.targetId),
        gsi1sk: order,
        gsi2pk: shardKey(actorPrefix(entry.actor), `${entry.chain}#${entry.seq}`, this.actorShards),
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
    const bounds = { ...(window.from ? { from: window.from } : {}), ...(window.to ? { to: `${window.to}~` } : {}) };
    // Sort keys (time, chain, sequence) are unique, as merging the actor's shards needs.
    const result =
      'target' in by
        ? await this.store.query<AuditItem>({
            table: T,
            index: 'gsi1',
            partition: { name: 'gsi1pk', value: targetPk(by.target.type, by.target.id) },
            range: { name: 'gsi1sk', ...bounds },
            descending: true,
            ...page,
          })
        : await querySharded<AuditItem>(this.store, {
            table: T,
            index: 'gsi2',
            partition: { name: 'gsi2pk', prefix: actorPrefix(by.actor), shards: this.actorShards, legacy: true },
            range: { name: 'gsi2sk', ...bounds },
            // An actor id may end in `#<n>`: its old key is then another actor's shard.
            filters: [{ name: 'actor', equals: by.actor }],
            descending: true,
            ...page,
          });
    return { ...result, items: result.items.map(toEntry) };
  }

  /** The first and last sequence numbers of one chain written within the window: two one-item reads. */
  async windowBounds(chain: number, from: string, to: string): Promise<{ first: number; last: number } | undefined> {
    const edge = async (descending: boolean) =>
      (
        await this.store.query<AuditItem>({
          table: T,
          index: 'gsi3',
          partition: { name: 'pk', value: chainPk(chain) },
          range: { name: 'gsi3sk', from, to: `${to}~` },
          descending,
          limit: 1,
        })
      ).items[0];
    const [first, last] = await Promise.all([edge(false), edge(true)]);
    if (!first || !last) return undefined;
    // Clocks of concurrent writers may disagree by a little: take the wider span.
    const seqs = [first, last].map((item) => toEntry(item).seq);
    return { first: Math.min(...seqs), last: Math.max(...seqs) };
  }

  /** Entries `fromSeq` to `toSeq` (at most RANGE_PAGE + 1) of one chain, in sequence order. */
  async chainRange(chain: number, fromSeq: number, toSeq: number): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.store.query<AuditItem>({
        table: T,
        partition: { name: 'pk', value: chainPk(chain) },
        range: { name: 'sk', from: seqSk(fromSeq), to: seqSk(toSeq) },
        // One more than the range holds: DynamoDB then has no reason to hand back a cursor.
        limit: toSeq - fromSeq + 2,
        ...(cursor ? { cursor } : {}),
      });
      entries.push(...page.items.map(toEntry));
      cursor = page.cursor;
    } while (cursor);
    return entries;
  }
}
