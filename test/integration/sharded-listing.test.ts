import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem, problemResponse } from '../../functions/http/problem.js';
import { UnavailableError, ValidationError } from '../../shared/platform/errors/index.js';
import type { QueryInput, Store, StoreItem, Write } from '../../shared/platform/ports/index.js';
import { AuthenticatedCursorStore, DynamoStore, forEachSharded, querySharded, shardKey, shardOf, type ShardedQueryInput } from '../../shared/platform/store/index.js';
import { freshTables } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * Sharded listings (shared/platform/store/sharded.ts) against DynamoDB Local: every shard
 * read in parallel and merged, page by page, for every shard count from 1 to 16.
 */
const ITEMS = 41;
const SHARD_COUNTS = Array.from({ length: 16 }, (_, i) => i + 1);
let raw: DynamoStore;
let sealed: Store;

interface Listed extends StoreItem {
  pk: string;
  gsi1pk: string;
  gsi1sk: string;
  colour: string;
}

/** Sort keys in no relation to the shard or the write order; unique, as the merge needs. */
const sortKeyOf = (i: number) => `${String((i * 7919) % 1000).padStart(4, '0')}#item-${i}`;
const listPrefix = (shards: number) => `LIST${shards}`;

async function writeList(prefix: string, shards: number, count = ITEMS): Promise<Listed[]> {
  const items = Array.from({ length: count }, (_, i) => {
    const id = `${prefix}-item-${i}`;
    return { pk: `ITEM#${id}`, sk: 'X', gsi1pk: shardKey(prefix, id, shards), gsi1sk: sortKeyOf(i), colour: i % 3 === 0 ? 'red' : 'blue' };
  });
  const writes: Write[] = items.map((item) => ({ op: 'put', table: 'data', item }));
  for (let i = 0; i < writes.length; i += 100) await raw.transact(writes.slice(i, i + 100));
  return items;
}

/** Every page of a listing, checking each page's size. */
async function readAll(store: Store, input: Omit<ShardedQueryInput, 'cursor'>): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await querySharded<Listed>(store, { ...input, ...(cursor !== undefined ? { cursor } : {}) });
    expect(page.items.length).toBeLessThanOrEqual(input.limit);
    if (page.cursor !== undefined) expect(page.items.length).toBe(input.limit);
    keys.push(...page.items.map((item) => item.gsi1sk));
    cursor = page.cursor;
    pages += 1;
    expect(pages).toBeLessThan(200);
  } while (cursor !== undefined);
  return { keys, pages };
}

const listing = (shards: number, extra: Partial<ShardedQueryInput> = {}): Omit<ShardedQueryInput, 'cursor'> => ({
  table: 'data',
  index: 'gsi1',
  partition: { name: 'gsi1pk', prefix: listPrefix(shards), shards },
  range: { name: 'gsi1sk' },
  limit: 4,
  ...extra,
});

const written = new Map<number, Listed[]>();

beforeAll(async () => {
  const { client, prefix } = await freshTables();
  raw = new DynamoStore(client, prefix);
  const macKey = randomBytes(32);
  sealed = new AuthenticatedCursorStore(raw, async () => macKey);
  for (const shards of SHARD_COUNTS) written.set(shards, await writeList(listPrefix(shards), shards));
}, 120_000);

describe('sharded listings', () => {
  it.each(SHARD_COUNTS)('with %i shard(s), return every item exactly once, in order, across pages', async (shards) => {
    const items = written.get(shards)!;
    // The items really are spread: as many partitions as the ids hash to.
    const partitions = new Set(items.map((item) => item.gsi1pk));
    expect(partitions.size).toBe(new Set(items.map((item) => shardOf(item.pk.slice('ITEM#'.length), shards))).size);
    if (shards > 1) expect(partitions.size).toBeGreaterThan(1);
    const ascending = items.map((item) => item.gsi1sk).sort();

    const forward = await readAll(sealed, listing(shards));
    expect(forward.keys).toEqual(ascending);
    expect(forward.pages).toBe(Math.ceil(ITEMS / 4));

    const backward = await readAll(sealed, listing(shards, { descending: true, limit: 7 }));
    expect(backward.keys).toEqual([...ascending].reverse());

    // A range and a filter: only the red ones from 0300 to 0800, newest first, a page of 2.
    const red = items.filter((item) => item.colour === 'red' && item.gsi1sk >= '0300' && item.gsi1sk <= '0800~').map((item) => item.gsi1sk);
    const filtered = await readAll(
      sealed,
      listing(shards, { range: { name: 'gsi1sk', from: '0300', to: '0800~' }, filters: [{ name: 'colour', equals: 'red' }], descending: true, limit: 2 }),
    );
    expect(filtered.keys).toEqual(red.sort().reverse());

    // A bare store (no cursor sealing) pages the same way.
    expect((await readAll(raw, listing(shards, { limit: 5 }))).keys).toEqual(ascending);
  });

  it('keeps a small cursor at 16 shards, and refuses one of another listing or altered', async () => {
    const page = await querySharded(sealed, { ...listing(16), limit: 3 });
    expect(page.cursor).toBeDefined();
    expect(page.cursor!.length).toBeLessThan(120);
    await expect(querySharded(sealed, { ...listing(15), cursor: page.cursor! })).rejects.toBeInstanceOf(ValidationError);
    await expect(querySharded(sealed, { ...listing(16), descending: true, cursor: page.cursor! })).rejects.toBeInstanceOf(ValidationError);
    const [payload, mac] = page.cursor!.split('.');
    const forged = `${Buffer.from(JSON.stringify({ after: '0000' })).toString('base64url')}.${mac}`;
    await expect(querySharded(sealed, { ...listing(16), cursor: forged })).rejects.toBeInstanceOf(ValidationError);
    for (const cursor of ['', 'e30', payload!, 'x.y']) {
      await expect(querySharded(sealed, { ...listing(16), cursor })).rejects.toBeInstanceOf(ValidationError);
    }
    for (const cursor of ['', 'e30', 'x.y', Buffer.from(JSON.stringify({ after: 5 })).toString('base64url')]) {
      await expect(querySharded(raw, { ...listing(16), cursor })).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it('still lists every item after the shard count is raised, with no re-index', async () => {
    const items = await writeList('RAISED', 4, 30);
    const raisedTo = await readAll(sealed, { ...listing(4), partition: { name: 'gsi1pk', prefix: 'RAISED', shards: 9 }, limit: 6 });
    expect(raisedTo.keys).toEqual(items.map((item) => item.gsi1sk).sort());
  });

  it('with `legacy`, also lists items still under the key from before sharding, each once', async () => {
    const sharded = await writeList('MOVED', 8, 20);
    const old = Array.from({ length: 9 }, (_, i) => ({ pk: `ITEM#old-${i}`, sk: 'X', gsi1pk: 'MOVED', gsi1sk: `${String(i * 97).padStart(4, '0')}#old-${i}`, colour: 'red' }));
    await raw.transact(old.map((item): Write => ({ op: 'put', table: 'data', item })));
    const input = { ...listing(8), partition: { name: 'gsi1pk', prefix: 'MOVED', shards: 8 }, limit: 3 };
    expect((await readAll(sealed, { ...input, partition: { ...input.partition, legacy: true } })).keys).toEqual([...sharded, ...old].map((item) => item.gsi1sk).sort());
    expect((await readAll(sealed, input)).keys).toEqual(sharded.map((item) => item.gsi1sk).sort());
  });

  it('sweeps a whole listing in order without querying a finished shard again', async () => {
    const shards = 16;
    const queried = new Map<string, number>();
    const counting: Store = Object.create(raw, {
      query: {
        value: (input: QueryInput) => {
          queried.set(input.partition.value, (queried.get(input.partition.value) ?? 0) + 1);
          return raw.query(input);
        },
      },
    });
    const keys: string[] = [];
    await forEachSharded<Listed>(counting, listing(shards, { limit: 5 }), (items) => {
      keys.push(...items.map((item) => item.gsi1sk));
    });
    expect(keys).toEqual(written.get(shards)!.map((item) => item.gsi1sk).sort());
    // 41 items over 16 shards, 9 pages: a shard holding k items is read about log2(k) times, not once a page.
    const items = written.get(shards)!;
    for (let n = 0; n < shards; n++) {
      const held = items.filter((item) => item.gsi1pk === `${listPrefix(shards)}#${n}`).length;
      expect(queried.get(`${listPrefix(shards)}#${n}`) ?? 0, `shard ${n} holds ${held}`).toBeLessThanOrEqual(Math.max(1, Math.ceil(Math.log2(held + 1)) + 1));
    }
  });

  it('fails the whole page as unavailable when one shard cannot be read, never a short page', async () => {
    for (const failure of [new Error('socket hang up'), new UnavailableError('store')]) {
      const failing = new OneShardFails(raw, `${listPrefix(16)}#3`, failure);
      const store = new AuthenticatedCursorStore(failing, async () => Buffer.alloc(32, 7));
      await expect(querySharded(store, listing(16))).rejects.toBeInstanceOf(UnavailableError);
      expect(failing.failed).toBeGreaterThan(0);
      // Fails on a later page too, when the shard fails after the first one was answered.
      const first = await querySharded(store, { ...listing(16), partition: { name: 'gsi1pk', prefix: listPrefix(2), shards: 2 } });
      expect(first.items).toHaveLength(4);
    }
    const late = new OneShardFails(raw, `${listPrefix(16)}#5`, new Error('throttled'));
    const store = new AuthenticatedCursorStore(late, async () => Buffer.alloc(32, 7));
    late.failing = false;
    const first = await querySharded(store, listing(16));
    late.failing = true;
    await expect(querySharded(store, { ...listing(16), cursor: first.cursor! })).rejects.toBeInstanceOf(UnavailableError);
    // ...which the API answers as a retryable 503.
    const answer = problemResponse(toProblem(new UnavailableError('store')));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers?.['retry-after']).toMatch(/^\d+$/);
  });
});

describe('a listing route with a shard that fails', () => {
  let api: TestApi;
  let failing: OneShardFails;
  afterAll(() => api?.close());

  it('answers 503 with Retry-After, and the whole list once the shard reads again', async () => {
    failing = new OneShardFails(undefined, '', new Error('socket hang up'));
    failing.failing = false;
    api = await startTestApi({ overrides: { store: failing } });
    failing.inner = new DynamoStore(api.client, api.prefix);
    const agent = await api.token('agent');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() })).body.id);
    const shards = api.container.config.indexShards.customers;
    failing.partition = shardKey('CUSTOMER', ids[0]!, shards);
    failing.failing = true;
    const failed = await api.call('GET', '/v1/customers?limit=50', { token: agent });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(failed.body.type).toBe('urn:kehu:problem:unavailable');
    failing.failing = false;
    const listed = await api.call('GET', '/v1/customers?limit=50', { token: agent });
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
  });
});

/** A store whose query of one partition fails (a throttled or unreachable shard); the rest is DynamoDB Local. */
class OneShardFails implements Store {
  failed = 0;
  failing = true;
  constructor(
    public inner: Store | undefined,
    public partition: string,
    private readonly failure: Error,
  ) {}
  // Until the test wires the store in (after the app started), reads find nothing.
  private get store(): Store {
    return this.inner ?? { get: async () => undefined, getMany: async () => [], query: async () => ({ items: [] }), count: async () => 0, increment: async () => 0, transact: async () => undefined };
  }
  get: Store['get'] = (...args) => this.store.get(...args);
  getMany: Store['getMany'] = (...args) => this.store.getMany(...args);
  increment: Store['increment'] = (...args) => this.store.increment(...args);
  count: Store['count'] = (...args) => this.store.count(...args);
  transact: Store['transact'] = (...args) => this.store.transact(...args);
  query: Store['query'] = (input: QueryInput) => {
    if (this.failing && input.partition.value === this.partition) {
      this.failed += 1;
      return Promise.reject(this.failure);
    }
    return this.store.query(input);
  };
}
