import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { QueryInput } from '../../shared/platform/ports/index.js';
import { CursorCodec, InvalidCursorError } from '../../shared/platform/store/index.js';

/** Cursors are bound to the query they continue, under a key the table never holds. */
const key = randomBytes(32);
const codec = new CursorCodec(async () => key);
const query: QueryInput = {
  table: 'data',
  index: 'gsi1',
  partition: { name: 'gsi1pk', value: 'CUSTOMER' },
  filters: [{ name: 'tier', equals: 'vip' }],
  limit: 25,
};
const continuation = Buffer.from(JSON.stringify({ pk: 'CUSTOMER#1', sk: 'PROFILE', gsi1pk: 'CUSTOMER', gsi1sk: 'KH1' })).toString('base64url');

describe('CursorCodec', () => {
  it('opens its own cursor for the same query, whatever the page size', async () => {
    const cursor = await codec.seal(continuation, query);
    expect(await codec.open(cursor, query)).toBe(continuation);
    expect(await codec.open(cursor, { ...query, limit: 100 })).toBe(continuation);
  });

  it.each([
    ['another table', { table: 'audit' }],
    ['another index', { index: 'gsi2' }],
    ['another partition', { partition: { name: 'gsi1pk', value: 'REQUEST' } }],
    ['other filters', { filters: [{ name: 'tier', equals: 'normal' }] }],
    ['no filters', { filters: [] }],
    ['a key range', { range: { name: 'gsi1sk', from: 'KH0' } }],
    ['the other order', { descending: true }],
  ] as const)('refuses it for %s', async (_what, change) => {
    const cursor = await codec.seal(continuation, query);
    await expect(codec.open(cursor, { ...query, ...change } as QueryInput)).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it('refuses an altered continuation, a cursor under another key, and malformed ones', async () => {
    const cursor = await codec.seal(continuation, query);
    const [payload, mac] = cursor.split('.');
    const altered = Buffer.from(JSON.stringify({ pk: 'CUSTOMER#2', sk: 'PROFILE', gsi1pk: 'CUSTOMER', gsi1sk: 'KH2' })).toString('base64url');
    const otherKey = await new CursorCodec(async () => randomBytes(32)).seal(continuation, query);
    for (const bad of [`${Buffer.from(altered).toString('base64url')}.${mac}`, otherKey, payload!, `${cursor}.x`, '', 'e30', '.']) {
      await expect(codec.open(bad, query)).rejects.toMatchObject({ kind: 'validation', field: 'cursor' });
    }
  });
});
