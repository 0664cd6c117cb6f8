import { beforeAll, describe, expect, it } from 'vitest';
import { ConditionFailedError, type Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { createDynamoClient } from '../../shared/runtime/index.js';
import { UnavailableError, ValidationError } from '../../shared/platform/errors/index.js';
import { freshTables } from '../support/dynamo.js';

/** The Store adapter against DynamoDB Local's real API. */
let store: Store;
let prefix: string;

beforeAll(async () => {
  const tables = await freshTables();
  prefix = tables.prefix;
  store = new DynamoStore(tables.client, prefix);
});

describe('DynamoStore', () => {
  it('names the writes whose condition failed and writes none of the transaction', async () => {
    await store.transact([{ op: 'put', table: 'data', item: { pk: 'A', sk: '1', version: 1 }, condition: { kind: 'absent' } }]);
    const attempt = store.transact([
      { op: 'put', table: 'data', item: { pk: 'B', sk: '1' }, condition: { kind: 'absent' }, label: 'b' },
      { op: 'put', table: 'data', item: { pk: 'A', sk: '1', version: 2 }, condition: { kind: 'version', version: 5 }, label: 'a' },
    ]);
    await expect(attempt).rejects.toBeInstanceOf(ConditionFailedError);
    await expect(attempt).rejects.toMatchObject({ labels: ['a'] });
    expect(await store.get('data', { pk: 'B', sk: '1' })).toBeUndefined();
    expect(await store.get('data', { pk: 'A', sk: '1' })).toMatchObject({ version: 1 });
  });

  it('increments atomically under concurrency', async () => {
    const values = await Promise.all(Array.from({ length: 20 }, () => store.increment('data', { pk: 'C', sk: 'C' }, 'n')));
    expect(new Set(values).size).toBe(20);
    expect(Math.max(...values)).toBe(20);
  });

  it('fills filtered pages across round trips and pages through every match exactly once', async () => {
    const items = Array.from({ length: 30 }, (_, i) => ({
      pk: `ITEM#${i}`,
      sk: 'X',
      gsi1pk: 'PAGED',
      gsi1sk: String(i).padStart(3, '0'),
      colour: i % 3 === 0 ? 'red' : 'blue',
      tags: i % 5 === 0 ? ['five'] : [],
    }));
    for (const item of items) await store.transact([{ op: 'put', table: 'data', item }]);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await store.query<{ gsi1sk: string }>({
        table: 'data',
        index: 'gsi1',
        partition: { name: 'gsi1pk', value: 'PAGED' },
        filters: [{ name: 'colour', equals: 'red' }],
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((i) => i.gsi1sk));
      cursor = page.cursor;
    } while (cursor);
    const expected = items.filter((i) => i.colour === 'red').map((i) => i.gsi1sk);
    expect(seen).toEqual(expected);
    expect(pages).toBeLessThanOrEqual(5);
    const fives = await store.query({ table: 'data', index: 'gsi1', partition: { name: 'gsi1pk', value: 'PAGED' }, filters: [{ name: 'tags', contains: 'five' }], limit: 100 });
    expect(fives.items).toHaveLength(6);
  });

  it('reads many keys at once, beyond one batch', async () => {
    const keys = Array.from({ length: 120 }, (_, i) => ({ pk: `MANY#${i}`, sk: 'M' }));
    for (let i = 0; i < keys.length; i += 25) {
      await store.transact(keys.slice(i, i + 25).map((key) => ({ op: 'put' as const, table: 'data', item: key })));
    }
    const found = await store.getMany('data', [...keys, { pk: 'MISSING', sk: 'M' }]);
    expect(found).toHaveLength(120);
  });

  it('refuses a cursor it did not issue', async () => {
    await expect(
      store.query({ table: 'data', partition: { name: 'pk', value: 'A' }, limit: 1, cursor: '!!!' }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses, as bad input, a continuation key without exactly the key attributes of what is read', async () => {
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const base = { table: 'data', partition: { name: 'pk', value: 'A' }, limit: 1 };
    for (const cursor of [encode({}), encode([]), encode({ pk: 'A' }), encode({ pk: 'A', sk: { S: 'x' } }), encode({ pk: 'A', sk: '1', gsi1pk: 'X' })]) {
      await expect(store.query({ ...base, cursor })).rejects.toMatchObject({ kind: 'validation', field: 'cursor' });
    }
    // An index read continues from the table's key and the index's key together.
    await expect(store.query({ ...base, index: 'gsi1', partition: { name: 'gsi1pk', value: 'X' }, cursor: encode({ pk: 'A', sk: '1' }) })).rejects.toMatchObject({ field: 'cursor' });
    const page = await store.query({ ...base, cursor: encode({ pk: 'A', sk: '0' }) });
    expect(page.items).toEqual([expect.objectContaining({ pk: 'A', sk: '1' })]);
  });

  it('reports an unreachable DynamoDB as unavailable', async () => {
    const down = new DynamoStore(createDynamoClient({ region: 'local', dynamodbEndpoint: 'http://127.0.0.1:9' }), prefix);
    await expect(down.get('data', { pk: 'A', sk: '1' })).rejects.toBeInstanceOf(UnavailableError);
    await expect(down.transact([{ op: 'put', table: 'data', item: { pk: 'Z', sk: 'Z' } }])).rejects.toBeInstanceOf(UnavailableError);
  });
});
