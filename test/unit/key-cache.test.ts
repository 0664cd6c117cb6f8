import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DataKeyRing, KeyCache, SealError } from '../../shared/platform/crypto/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import {
  ConditionFailedError,
  type CountInput,
  type EncryptionContext,
  type GeneratedDataKey,
  type KeyService,
  type QueryInput,
  type QueryPage,
  type Store,
  type StoreItem,
  type Write,
} from '../../shared/platform/ports/index.js';
import { keysTable } from '../../shared/platform/store/tables.js';

/** Lets real time pass too: expiry must follow the injected clock, not wall time. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A minimal in-memory Store: items by table and key (pk, sk); puts honour conditions. */
class MemoryStore implements Store {
  readonly items = new Map<string, StoreItem>();
  calls = { get: 0, transact: 0 };

  private id(table: string, key: StoreItem): string {
    return JSON.stringify([table, key.pk, key.sk ?? null]);
  }

  async get<T extends StoreItem>(table: string, key: StoreItem): Promise<T | undefined> {
    this.calls.get++;
    const item = this.items.get(this.id(table, key));
    return item ? (structuredClone(item) as T) : undefined;
  }

  async getMany<T extends StoreItem>(table: string, keys: StoreItem[]): Promise<T[]> {
    const found = await Promise.all(keys.map((key) => this.get<T>(table, key)));
    return found.filter((item): item is Awaited<T> => item !== undefined);
  }

  async query<T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>> {
    const items = [...this.items.entries()]
      .filter(([id]) => (JSON.parse(id) as unknown[])[0] === input.table)
      .map(([, item]) => item)
      .filter((item) => item[input.partition.name] === input.partition.value)
      .slice(0, input.limit);
    return { items: items as T[] };
  }

  async count(input: CountInput): Promise<number> {
    return (await this.query({ ...input, limit: input.max })).items.length;
  }

  async increment(table: string, key: StoreItem, attribute: string): Promise<number> {
    const id = this.id(table, key);
    const item = this.items.get(id) ?? { ...key };
    const next = (typeof item[attribute] === 'number' ? (item[attribute] as number) : 0) + 1;
    this.items.set(id, { ...item, [attribute]: next });
    return next;
  }

  async transact(writes: Write[]): Promise<void> {
    this.calls.transact++;
    const failed = writes.filter((write) => {
      if (write.op === 'add') return false;
      const key = write.op === 'put' ? write.item : write.key;
      const existing = this.items.get(this.id(write.table, key));
      const condition = write.condition;
      if (!condition) return false;
      if (condition.kind === 'absent') return existing !== undefined;
      if (condition.kind === 'exists') return existing === undefined;
      return existing?.version !== condition.version;
    });
    if (failed.length) throw new ConditionFailedError(failed.map((w) => w.label ?? ''));
    for (const write of writes) {
      if (write.op === 'put') this.items.set(this.id(write.table, write.item), structuredClone(write.item));
      if (write.op === 'delete') this.items.delete(this.id(write.table, write.key));
      if (write.op === 'add') {
        const id = this.id(write.table, write.key);
        const item: StoreItem = { ...write.key, ...this.items.get(id) };
        for (const [name, by] of Object.entries(write.counters)) item[name] = Number(item[name] ?? 0) + by;
        this.items.set(id, item);
      }
    }
  }
}

/** Counts what reaches the key service. */
class CountingKeyService implements KeyService {
  generated: EncryptionContext[] = [];
  decrypted: EncryptionContext[] = [];
  failNext = false;
  constructor(private readonly inner: KeyService) {}

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    this.generated.push(context);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('key service down');
    }
    return this.inner.generateDataKey(context);
  }

  async decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    this.decrypted.push(context);
    return this.inner.decryptDataKey(wrapped, context);
  }

  deriveMacKey(label: string): Promise<Buffer> {
    return this.inner.deriveMacKey(label);
  }
}

const setup = () => {
  const store = new MemoryStore();
  const keys = new CountingKeyService(new LocalKeyService(randomBytes(32)));
  return { store, keys, ring: new DataKeyRing(store, keys) };
};

describe('KeyCache', () => {
  it('holds at most maxEntries and evicts the least recently used', () => {
    const cache = new KeyCache({ maxEntries: 3, ttlMs: 60_000 });
    const [a, b, c, d] = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    cache.set('a', a);
    cache.set('b', b);
    cache.set('c', c);
    expect(cache.get('a')).toBe(a); // a is now more recent than b
    cache.set('d', d);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(a);
    expect(cache.get('c')).toBe(c);
    expect(cache.get('d')).toBe(d);
  });

  it('never grows beyond maxEntries', () => {
    const cache = new KeyCache({ maxEntries: 5, ttlMs: 60_000 });
    for (let i = 0; i < 50; i++) {
      cache.set(`k${i}`, randomBytes(32));
      expect(cache.size).toBeLessThanOrEqual(5);
    }
    expect(cache.size).toBe(5);
    expect(cache.get('k0')).toBeUndefined();
    expect(cache.get('k49')).toBeDefined();
  });

  it('expires entries after ttlMs', async () => {
    let now = 1_000_000;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 1_000 }, () => now);
    const key = randomBytes(32);
    cache.set('a', key);
    now += 500;
    await tick();
    expect(cache.get('a')).toBe(key);
    now += 10_000;
    await tick();
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('counts an entry\'s age from when it was set, not from its last read', () => {
    let now = 0;
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 1_000 }, () => now);
    const key = randomBytes(32);
    cache.set('a', key);
    now = 900;
    expect(cache.get('a')).toBe(key);
    now = 1_000;
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', key);
    now = 1_500;
    expect(cache.get('a')).toBe(key);
  });

  it('deletes entries', () => {
    const cache = new KeyCache({ maxEntries: 10, ttlMs: 60_000 });
    cache.set('a', randomBytes(32));
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('DataKeyRing', () => {
  it('create() generates a key under the customer context and a conditional put of the wrapped key', async () => {
    const { keys, ring } = setup();
    const createdAt = new Date('2025-01-02T03:04:05.000Z');
    const { key, write } = await ring.create('cus-1', createdAt);
    expect(key).toHaveLength(32);
    expect(keys.generated).toEqual([{ purpose: 'customer-data', customerId: 'cus-1' }]);
    expect(write).toMatchObject({ op: 'put', table: keysTable.name, condition: { kind: 'absent' } });
    if (write.op !== 'put') throw new Error('expected a put');
    expect(write.item).toMatchObject({ pk: 'cus-1', createdAt: '2025-01-02T03:04:05.000Z' });
    const wrapped = Buffer.from(write.item.wrapped as string, 'base64');
    expect(wrapped.includes(key)).toBe(false);
  });

  it('get() after create() and remember() makes no key-service or store call', async () => {
    const { store, keys, ring } = setup();
    const { key, write } = await ring.create('cus-1', new Date());
    await store.transact([write]);
    ring.remember('cus-1', key);
    const generatedBefore = keys.generated.length;
    const getsBefore = store.calls.get;
    expect(await ring.get('cus-1')).toEqual(key);
    expect(keys.decrypted).toHaveLength(0);
    expect(keys.generated).toHaveLength(generatedBefore);
    expect(store.calls.get).toBe(getsBefore);
  });

  it('get() of a stored key decrypts once and then serves from the cache', async () => {
    const { store, keys, ring } = setup();
    const { key, write } = await ring.create('cus-1', new Date());
    await store.transact([write]);
    // Another instance: same store and key service, empty cache.
    const other = new DataKeyRing(store, keys);
    expect(await other.get('cus-1')).toEqual(key);
    expect(keys.decrypted).toEqual([{ purpose: 'customer-data', customerId: 'cus-1' }]);
    expect(await other.get('cus-1')).toEqual(key);
    expect(await other.get('cus-1')).toEqual(key);
    expect(keys.decrypted).toHaveLength(1);
  });

  it('get() shares one unwrap between concurrent reads of a cold key', async () => {
    const { store, keys, ring } = setup();
    const { key, write } = await ring.create('cus-2', new Date());
    await store.transact([write]);
    const other = new DataKeyRing(store, keys);
    const results = await Promise.all(Array.from({ length: 5 }, () => other.get('cus-2')));
    for (const result of results) expect(result).toEqual(key);
    expect(keys.decrypted).toHaveLength(1);
  });

  it('get() decrypts again once the cached key expired', async () => {
    const { store, keys, ring } = setup();
    const { key, write } = await ring.create('cus-1', new Date());
    await store.transact([write]);
    let now = 1_000_000;
    const other = new DataKeyRing(store, keys, new KeyCache({ maxEntries: 10, ttlMs: 1_000 }, () => now));
    await other.get('cus-1');
    now += 60_000;
    await tick();
    expect(await other.get('cus-1')).toEqual(key);
    expect(keys.decrypted).toHaveLength(2);
  });

  it('get() of a customer without a stored key raises SealError without calling the key service', async () => {
    const { keys, ring } = setup();
    await expect(ring.get('no-such-customer')).rejects.toBeInstanceOf(SealError);
    expect(keys.decrypted).toHaveLength(0);
  });

  it('indexKey() is created once, shared by concurrent calls and reused', async () => {
    const { store, keys, ring } = setup();
    const [a, b, c] = await Promise.all([ring.indexKey(), ring.indexKey(), ring.indexKey()]);
    expect(a).toHaveLength(32);
    expect(b).toBe(a);
    expect(c).toBe(a);
    expect(await ring.indexKey()).toBe(a);
    expect(keys.generated).toEqual([{ purpose: 'blind-index' }]);
    expect(store.calls.transact).toBe(1);
    expect(store.items.size).toBe(1);
  });

  it('indexKey() of another instance unwraps the stored key instead of creating one', async () => {
    const { store, keys, ring } = setup();
    const first = await ring.indexKey();
    const other = new DataKeyRing(store, keys);
    expect(await other.indexKey()).toEqual(first);
    expect(keys.generated).toHaveLength(1);
    expect(keys.decrypted).toEqual([{ purpose: 'blind-index' }]);
  });

  it('indexKey() uses the winner when another instance created the key first', async () => {
    const { store, keys, ring } = setup();
    const winner = new DataKeyRing(store, keys);
    let winnerKey: Buffer | undefined;
    // Let the other instance create its key before ours is written.
    const originalTransact = store.transact.bind(store);
    store.transact = async (writes) => {
      if (!winnerKey) {
        store.transact = originalTransact;
        winnerKey = await winner.indexKey();
      }
      return originalTransact(writes);
    };
    const ours = await ring.indexKey();
    expect(winnerKey).toBeDefined();
    expect(ours).toEqual(winnerKey);
    expect(keys.generated).toHaveLength(2);
    expect(store.items.size).toBe(1);
  });

  it('indexKey() retries after a failure instead of caching it', async () => {
    const { keys, ring } = setup();
    keys.failNext = true;
    await expect(ring.indexKey()).rejects.toThrow('key service down');
    const key = await ring.indexKey();
    expect(key).toHaveLength(32);
    expect(keys.generated).toHaveLength(2);
  });
});
