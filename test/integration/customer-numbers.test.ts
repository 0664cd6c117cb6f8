import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerRepository, resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { createContainer } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** Customer numbers from blocks reserved per instance, on DynamoDB Local's real counter. */
const numberOf = (text: string) => Number(/^KH(\d{8})$/.exec(text)?.[1] ?? Number.NaN);
const blockOf = (n: number, size: number) => Math.floor((n - 1) / size);

/** Each instance's numbers in the order it handed them out, from `creators` concurrent takers spread over the instances. */
async function takeConcurrently(instances: CustomerRepository[], creators: number): Promise<number[][]> {
  const taken: number[][] = instances.map(() => []);
  await Promise.all(
    Array.from({ length: creators }, async (_, i) => {
      const instance = i % instances.length;
      for (let round = 0; round < 3; round++) taken[instance]!.push(numberOf(await instances[instance]!.nextNumber()));
    }),
  );
  return taken;
}

describe('customer numbers from reserved blocks', () => {
  let store: Store;

  beforeAll(async () => {
    const { client, prefix } = await freshTables();
    store = new DynamoStore(client, prefix);
  });

  it('under 20 concurrent creators on 4 instances: unique, increasing within each block, each block one instance own', async () => {
    const size = 7;
    const instances = Array.from({ length: 4 }, () => new CustomerRepository(store, { numberBlock: size }));
    const taken = await takeConcurrently(instances, 20);
    const all = taken.flat();
    expect(all).toHaveLength(60);
    expect(all.every((n) => Number.isSafeInteger(n) && n >= 1)).toBe(true);
    expect(new Set(all).size).toBe(60);
    const owners = new Map<number, number>();
    taken.forEach((numbers, instance) => {
      // Handed out in increasing order by each instance, hence within each of its blocks.
      for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBeGreaterThan(numbers[i - 1]!);
      for (const n of numbers) {
        const block = blockOf(n, size);
        expect(owners.get(block) ?? instance).toBe(instance);
        owners.set(block, instance);
      }
    });
  });

  it('loses only the unused numbers of an instance that stops mid-block', async () => {
    const size = 10;
    const own = await freshTables();
    const ownStore = new DynamoStore(own.client, own.prefix);
    const stopped = new CustomerRepository(ownStore, { numberBlock: size });
    expect([await stopped.nextNumber(), await stopped.nextNumber(), await stopped.nextNumber()]).toEqual(['KH00000001', 'KH00000002', 'KH00000003']);
    // The instance is gone: 4 to 10 are never handed out; the next instance starts the next block.
    const next = new CustomerRepository(ownStore, { numberBlock: size });
    expect(await next.nextNumber()).toBe('KH00000011');
    expect(await next.nextNumber()).toBe('KH00000012');
  });

  it('gives 20 concurrent creates on two function instances unique numbers from blocks of their own', async () => {
    const size = 4;
    const own = await freshTables();
    const keyService = new LocalKeyService(Buffer.alloc(32, 5));
    const config = { ...testConfig(own.prefix, own.endpoint), customerNumberBlock: size };
    const containers = [createContainer(config, { dynamodb: own.client, keyService }), createContainer(config, { dynamodb: own.client, keyService })];
    const context = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'service' };
    const view = resolveView('agent').view;
    const numbers: number[][] = [[], []];
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { customer } = await containers[i % 2]!.customers.create(newCustomer() as CreateCustomerInput, context, view);
        numbers[i % 2]!.push(numberOf(customer.number));
      }),
    );
    expect(new Set(numbers.flat()).size).toBe(20);
    const blocks = numbers.map((mine) => new Set(mine.map((n) => blockOf(n, size))));
    expect([...blocks[0]!].filter((b) => blocks[1]!.has(b))).toEqual([]);
    // Ten creates each from blocks of four: three blocks per instance, the last one partly used.
    expect(blocks.map((b) => b.size)).toEqual([3, 3]);
  });
});
