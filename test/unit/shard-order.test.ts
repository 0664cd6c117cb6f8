import { describe, expect, it } from 'vitest';
import { byteOrder, shardOf } from '../../shared/platform/store/sharded.js';

describe('the merge order of sharded listings', () => {
  it("is DynamoDB's: the UTF-8 byte order of the sort keys", () => {
    const keys = ['2026-01-01#b', '2026-01-01#a', '2026-01-01', 'KH00000010', 'KH00000009', '\uffff', '\u{1f600}', 'é', 'z', '~', ''];
    const byBytes = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
    expect([...keys].sort(byteOrder)).toEqual(byBytes);
    expect(byteOrder('\u{1f600}', '\uffff')).toBeGreaterThan(0);
  });
});

describe('shardOf', () => {
  it('spreads ids evenly over the shards and always puts one id in the same shard', () => {
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`customer-${i}`, 16)]! += 1;
    // 1,000 expected per shard; a hash that skews would leave one far off.
    for (const count of counts) {
      expect(count).toBeGreaterThan(850);
      expect(count).toBeLessThan(1150);
    }
    expect(shardOf('a', 16)).toBe(shardOf('a', 16));
    expect(shardOf('a', 1)).toBe(0);
  });
});
