import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { InteractionRepository } from '../../shared/contexts/interactions/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, Write } from '../../shared/platform/ports/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/**
 * RET-1 and RET-2 over 10,000 interaction records of mixed ages: the sweep destroys
 * exactly the expired ones, through the retention index, with a certificate per customer.
 */
const CUSTOMERS = 40;
const INTERACTIONS = 10_000;
const DAY = 86_400_000;
const ctx = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'retention' };
let container: Container;
let later: Container;
const published: DomainEvent[] = [];
const customerIds: string[] = [];
let expectedExpired = 0;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  const keyService = new LocalKeyService(Buffer.alloc(32, 6));
  const events = { publish: async (e: DomainEvent[]) => void published.push(...e) };
  container = createContainer(config, { dynamodb: client, keyService, events });
  later = createContainer(config, { dynamodb: client, keyService, events, clock: { now: () => new Date(Date.now() + 90 * DAY) } });
  for (let i = 0; i < CUSTOMERS; i++) {
    const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, ctx, resolveView('dpo').view);
    customerIds.push(customer.id);
  }
  // Interactions written straight to the table (the API path is tested elsewhere): ages 0 to 800 days.
  const writes: Write[] = [];
  for (let i = 0; i < INTERACTIONS; i++) {
    const customerId = customerIds[i % CUSTOMERS]!;
    const ageDays = (i * 7919) % 800;
    if (ageDays >= 365) expectedExpired += 1; // kept 365 days: on the 365th it is due
    const occurredAt = new Date(Date.now() - ageDays * DAY - (i % 1000)).toISOString();
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    writes.push({
      op: 'put',
      table: 'data',
      item: {
        pk: `CUSTOMER#${customerId}`,
        sk: `INTERACTION#${occurredAt}#${id}`,
        kind: 'interaction',
        id,
        customerId,
        occurredAt,
        ...new InteractionRepository(container.store, container.config.indexShards.interactions).retentionKeys(customerId, occurredAt, id),
      },
    });
  }
  for (let i = 0; i < writes.length; i += 100) await container.store.transact(writes.slice(i, i + 100));
}, 240_000);

const countInteractions = async () => {
  let total = 0;
  for (const id of customerIds) {
    let cursor: string | undefined;
    do {
      const page = await container.store.query({ table: 'data', partition: { name: 'pk', value: `CUSTOMER#${id}` }, range: { name: 'sk', from: 'INTERACTION#', to: 'INTERACTION#~' }, limit: 500, ...(cursor ? { cursor } : {}) });
      total += page.items.length;
      cursor = page.cursor;
    } while (cursor);
  }
  return total;
};

describe('retention sweep', () => {
  it('does nothing without policies', async () => {
    expect(await container.retention.sweep(ctx)).toMatchObject({ interactionsDestroyed: 0, customersQueued: 0 });
  });

  it('destroys exactly the interactions past their retention, certifying per customer', { timeout: 120_000 }, async () => {
    await container.retention.putPolicies([{ category: 'interaction', retainDays: 365 }], ctx);
    expect(expectedExpired).toBeGreaterThan(3000);
    const result = await container.retention.sweep(ctx);
    expect(result.interactionsDestroyed).toBe(expectedExpired);
    expect(await countInteractions()).toBe(INTERACTIONS - expectedExpired);
    const certificates = await container.erasure.certificates({ limit: 100 });
    const ofSweep = certificates.items.filter((c) => c.id.startsWith(result.sweepId));
    expect(ofSweep).toHaveLength(CUSTOMERS);
    expect(ofSweep.every((c) => c.reason === 'expiry' && c.categories.join() === 'interactions')).toBe(true);
    // A second sweep finds nothing more.
    expect((await container.retention.sweep(ctx)).interactionsDestroyed).toBe(0);
  });

  it('hands customers past their profile retention to the erasure queue, in events with ids only', async () => {
    await container.retention.putPolicies([{ category: 'profile', retainDays: 60 }], ctx);
    expect((await container.retention.sweep(ctx)).customersQueued).toBe(0); // created just now
    // A retention obligation on one customer: a hold keeps their record past its period.
    const held = customerIds[0]!;
    const view = resolveView('dpo').view;
    const { version } = await container.customers.get(held, ctx, view);
    await container.customers.update(held, { legalHolds: [{ reason: 'tax audit 2026' }], reason: 'retention obligation' }, version, ctx, view);
    const result = await later.retention.sweep(ctx); // 90 days on (the hold's change is recent, but holds count regardless)
    const expired = published.filter((e) => e.type === 'RetentionExpired');
    expect(expired.map((e) => e.detail.customerId)).not.toContain(held);
    expect(result.customersQueued).toBe(CUSTOMERS - 1);
    expect(expired.map((e) => e.detail.customerId).sort()).toEqual(customerIds.filter((id) => id !== held).sort());
    for (const event of expired) expect(Object.keys(event.detail).sort()).toEqual(['customerId', 'sweepId']);

    // The erasure worker, as the queue would run it, certifies with the expiry reason.
    const [first] = expired;
    const certificate = await container.erasure.erase(String(first!.detail.customerId), { sweepId: String(first!.detail.sweepId) });
    expect(certificate).toMatchObject({ reason: 'expiry', actor: 'retention-sweep' });
    await expect(container.customers.get(String(first!.detail.customerId), ctx, resolveView('dpo').view)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('refuses a policy naming a category twice', async () => {
    const { putPoliciesSchema } = await import('../../shared/contexts/retention/index.js');
    const parsed = putPoliciesSchema.safeParse({ policies: [{ category: 'profile', retainDays: 1 }, { category: 'profile', retainDays: 2 }] });
    expect(parsed.success).toBe(false);
  });
});
