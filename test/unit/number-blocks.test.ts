import { describe, expect, it } from 'vitest';
import { NumberBlocks } from '../../shared/contexts/customers/number-blocks.js';

/** The counter as DynamoDB's atomic ADD keeps it: each reservation adds its size and answers the new value. */
function counter(failures = 0) {
  let value = 0;
  let left = failures;
  const reservations: number[] = [];
  const reserve = async (size: number) => {
    await Promise.resolve();
    if (left-- > 0) throw new Error('store unavailable');
    value += size;
    reservations.push(value);
    return value;
  };
  return { reserve, reservations };
}

describe('NumberBlocks', () => {
  it('serves concurrent takers from one reservation per block, in increasing order', async () => {
    const { reserve, reservations } = counter();
    const blocks = new NumberBlocks(reserve, 5);
    const taken = await Promise.all(Array.from({ length: 12 }, () => blocks.take()));
    expect(taken).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(reservations).toEqual([5, 10, 15]);
  });

  it('fails the takers of a failed reservation and reserves again on the next take', async () => {
    const { reserve } = counter(1);
    const blocks = new NumberBlocks(reserve, 3);
    await expect(Promise.all([blocks.take(), blocks.take()])).rejects.toThrow('store unavailable');
    expect(await blocks.take()).toBe(1);
  });

  it('refuses a block of no numbers', () => {
    expect(() => new NumberBlocks(counter().reserve, 0)).toThrow(RangeError);
  });
});
