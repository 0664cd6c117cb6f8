import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput, type LegalHold } from '../../shared/contexts/customers/index.js';
import { InteractionRepository } from '../../shared/contexts/interactions/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent } from '../../shared/platform/ports/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** Legal holds against retention (DSR-3, RET-2), and erasures the sweep must hand on again. */
const DAY = 86_400_000;
const ctx = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'retention' };
const view = resolveView('dpo').view;
const farAway = '2099-12-31';
let container: Container;
/** The same data seen 90 days on: every profile past a 30-day retention. */
const LATER_MS = 90 * DAY;
let later: Container;
const published: DomainEvent[] = [];

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  const keyService = new LocalKeyService(Buffer.alloc(32, 8));
  const events = { publish: async (e: DomainEvent[]) => void published.push(...e) };
  container = createContainer(config, { dynamodb: client, keyService, events });
  later = createContainer(config, { dynamodb: client, keyService, events, clock: { now: () => new Date(Date.now() + LATER_MS) } });
});

async function customerWith(holds: LegalHold[]): Promise<string> {
  const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, ctx, view);
  if (holds.length) await container.customers.update(customer.id, { legalHolds: holds, reason: 'hold' }, customer.version, ctx, view);
  return customer.id;
}

/** An interaction 400 days old, written straight to the table (the API path is tested elsewhere). */
async function oldInteraction(customerId: string): Promise<void> {
  const occurredAt = new Date(Date.now() - 400 * DAY).toISOString();
  const id = crypto.randomUUID();
  await container.store.transact([
    {
      op: 'put',
      table: 'data',
      item: { pk: `CUSTOMER#${customerId}`, sk: `INTERACTION#${occurredAt}#${id}`, kind: 'interaction', id, customerId, occurredAt, ...new InteractionRepository(container.store, container.config.indexShards.interactions).retentionKeys(customerId, occurredAt, id) },
    },
  ]);
}

const interactionsOf = async (customerId: string) =>
  (await container.store.query({ table: 'data', partition: { name: 'pk', value: `CUSTOMER#${customerId}` }, range: { name: 'sk', from: 'INTERACTION#', to: 'INTERACTION#~' }, limit: 10 })).items.length;

/** Marks a customer's erasure as started `ageMs` before the later clock by a sweep, as a crash after the hiding step leaves it. */
async function stuckErasure(customerId: string, ageMs: number, sweepId: string): Promise<void> {
  const profile = (await container.store.get<Record<string, unknown>>('data', { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }))!;
  const startedAt = new Date(Date.now() + LATER_MS - ageMs).toISOString();
  await container.store.transact([{ op: 'put', table: 'data', item: { ...profile, erasure: { requestId: `${sweepId}:${customerId}`, startedAt, cause: { sweepId } } } }]);
}

describe('retention under legal holds', () => {
  it('keeps interactions a hold covers past their retention, and destroys the rest', async () => {
    const wholeRecord = await customerWith([{ reason: 'court order', until: farAway }]);
    const interactionsHeld = await customerWith([{ reason: 'tax audit', until: farAway, categories: ['interactions'] }]);
    const consentsHeld = await customerWith([{ reason: 'consent dispute', until: farAway, categories: ['consents'] }]);
    const endedHold = await customerWith([{ reason: 'settled dispute', until: '2020-01-01' }]);
    for (const id of [wholeRecord, interactionsHeld, consentsHeld, endedHold]) await oldInteraction(id);
    await container.retention.putPolicies([{ category: 'interaction', retainDays: 365 }], ctx);

    const result = await container.retention.sweep(ctx);
    expect(result.interactionsDestroyed).toBe(2);
    expect(await interactionsOf(wholeRecord)).toBe(1);
    expect(await interactionsOf(interactionsHeld)).toBe(1);
    expect(await interactionsOf(consentsHeld)).toBe(0);
    expect(await interactionsOf(endedHold)).toBe(0);
  });

  it('queues records on a narrowing hold (the erasure keeps what it holds) but not those held whole', async () => {
    const wholeRecord = await customerWith([{ reason: 'court order', until: farAway }]);
    const narrowed = await customerWith([{ reason: 'tax audit', until: farAway, categories: ['interactions'] }]);
    await container.retention.putPolicies([{ category: 'profile', retainDays: 30 }], ctx);
    published.length = 0;
    await later.retention.sweep(ctx);
    const queued = published.map((e) => e.detail.customerId);
    expect(queued).toContain(narrowed);
    expect(queued).not.toContain(wholeRecord);
  });

  it('hands on again, as what it was, an erasure of an earlier sweep unfinished after an hour', async () => {
    const stuck = await customerWith([]);
    const running = await customerWith([]);
    const earlierSweep = crypto.randomUUID();
    await stuckErasure(stuck, 2 * 3_600_000, earlierSweep);
    await stuckErasure(running, 10 * 60_000, earlierSweep);
    await container.retention.putPolicies([{ category: 'profile', retainDays: 30 }], ctx);
    published.length = 0;
    await later.retention.sweep(ctx);
    const resumed = published.filter((e) => e.detail.customerId === stuck);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.detail.sweepId).toBe(earlierSweep);
    expect(published.some((e) => e.detail.customerId === running)).toBe(false);
  });
});
