import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CountInput, CursorSeal, QueryInput, QueryPage, Store, StoreItem, Write } from '../ports/index.js';
import { InvalidCursorError } from './errors.js';

/**
 * Authenticated pagination cursors. A cursor handed to a client is the store's own
 * continuation (the last key read) plus a MAC over that continuation and the query it
 * continues: table, index, partition value, key range, filters and order. A cursor made up
 * by a client, altered, or taken from another list or another query's filters fails the
 * MAC and is refused as invalid input before anything reaches the table. The MAC key is
 * derived from a key of the key service, never stored in the table.
 *
 * Format: `<continuation, base64url>.<mac, base64url>`; clients treat it as opaque.
 */
const MAC_BYTES = 16;
const FORMAT = 'kehu-cursor-1';

/** What a cursor belongs to: everything about a query but its page size and its cursor. */
function queryScope(input: QueryInput): string {
  return JSON.stringify([
    FORMAT,
    input.table,
    input.index ?? null,
    input.partition.name,
    input.partition.value,
    input.range ? [input.range.name, input.range.from ?? null, input.range.to ?? null] : null,
    (input.filters ?? []).map((f) => [f.name, f.equals ?? null, f.contains ?? null]),
    input.descending === true,
  ]);
}

export class CursorCodec implements CursorSeal {
  /** @param macKey the key cursors are authenticated with, derived from a key-service key. */
  constructor(private readonly macKey: () => Promise<Buffer>) {}

  async seal(continuation: string, input: QueryInput): Promise<string> {
    const payload = Buffer.from(continuation, 'utf8').toString('base64url');
    return `${payload}.${(await this.mac(payload, input)).toString('base64url')}`;
  }

  /** The store's continuation inside a cursor this codec issued for the same query; else a 400. */
  async open(cursor: string, input: QueryInput): Promise<string> {
    const [payload, macText, ...rest] = cursor.split('.');
    if (!payload || !macText || rest.length) throw new InvalidCursorError();
    const given = Buffer.from(macText, 'base64url');
    const expected = await this.mac(payload, input);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new InvalidCursorError();
    return Buffer.from(payload, 'base64url').toString('utf8');
  }

  private async mac(payload: string, input: QueryInput): Promise<Buffer> {
    return createHmac('sha256', await this.macKey())
      .update(queryScope(input), 'utf8')
      .update('\n', 'utf8')
      .update(payload, 'utf8')
      .digest()
      .subarray(0, MAC_BYTES);
  }
}

/**
 * A Store whose query cursors are authenticated (see above); everything else passes
 * through. The key is asked for only when a cursor is issued or read.
 */
export class AuthenticatedCursorStore implements Store {
  private readonly codec: CursorCodec;
  /** Seals the cursors of merged (sharded) listings with the same key: sharded.ts. */
  readonly cursors: CursorSeal;

  constructor(
    private readonly inner: Store,
    macKey: () => Promise<Buffer>,
  ) {
    this.codec = new CursorCodec(macKey);
    this.cursors = this.codec;
  }

  get<T extends StoreItem>(table: string, key: StoreItem): Promise<T | undefined> {
    return this.inner.get<T>(table, key);
  }

  getMany<T extends StoreItem>(table: string, keys: StoreItem[]): Promise<T[]> {
    return this.inner.getMany<T>(table, keys);
  }

  async query<T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>> {
    const { cursor, ...rest } = input;
    const continuation = cursor === undefined ? undefined : await this.codec.open(cursor, input);
    const page = await this.inner.query<T>(continuation === undefined ? rest : { ...rest, cursor: continuation });
    return page.cursor === undefined ? page : { items: page.items, cursor: await this.codec.seal(page.cursor, input) };
  }

  /** A count issues and takes no cursor. */
  count(input: CountInput): Promise<number> {
    return this.inner.count(input);
  }

  increment(table: string, key: StoreItem, attribute: string, by?: number): Promise<number> {
    return this.inner.increment(table, key, attribute, by);
  }

  transact(writes: Write[]): Promise<void> {
    return this.inner.transact(writes);
  }
}
