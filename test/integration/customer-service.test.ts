import { beforeAll, describe, expect, it } from 'vitest';
import { PreconditionFailedError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { defaultReviewIntervals, resolveView, DuplicateContactError, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import type { Actor } from '../../shared/platform/access/index.js';
import { freshTables, scanAll, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** The customer service on DynamoDB Local through the real Store adapter. */
let container: Container;
let raw: () => ReturnType<typeof scanAll>;
const actor: Actor = { id: 'agent-1', role: 'agent' };
const ctx = { actor, purpose: 'service' };
const full = resolveView('admin').view;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  container = createContainer(
    { ...testConfig(prefix, endpoint), keyCache: { maxEntries: 100, ttlMs: 60_000 } },
    { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 9)) },
  );
  raw = () => scanAll(client, prefix);
});

const input = (overrides: Record<string, unknown> = {}) => newCustomer(overrides) as CreateCustomerInput;

describe('CustomerService on DynamoDB Local', () => {
  it('stores sealed personal fields, reads them back, and keeps the key apart', async () => {
    const body = input();
    const { customer } = await container.customers.create(body, ctx, full);
    const read = await container.customers.get(customer.id, ctx, full);
    expect(read).toMatchObject({ name: body.name, emails: body.emails, phones: body.phones, version: 1 });
    const items = await raw();
    const profile = items.find((i) => (i.pk as { S: string }).S === `CUSTOMER#${customer.id}` && (i.sk as { S: string } | undefined)?.S === 'PROFILE');
    expect(JSON.stringify(profile)).not.toContain(body.name);
    const key = items.find((i) => (i.pk as { S: string }).S === customer.id);
    expect(key).toBeDefined();
    expect(key!.wrapped).toBeDefined();
  });

  it('lets exactly one of many parallel creates with the same email win', async () => {
    const email = `race-${Date.now()}@example.com`;
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => container.customers.create(input({ emails: [email] }), ctx, full)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(11);
    for (const loss of lost) expect(loss.reason).toBeInstanceOf(DuplicateContactError);
    const found = await container.customers.list({ email }, ctx, full);
    expect(found.items).toHaveLength(1);
    // Losers left no profile behind: one record holds the email, none is orphaned.
    const guards = (await raw()).filter((i) => (i.sk as { S: string } | undefined)?.S === 'GUARD');
    const owners = new Set(guards.map((g) => (g.customerId as { S: string }).S));
    const profiles = (await raw()).filter((i) => (i.sk as { S: string } | undefined)?.S === 'PROFILE').map((p) => (p.id as { S: string }).S);
    for (const owner of owners) expect(profiles).toContain(owner);
  });

  it('lets one of two concurrent updates from the same version win; the other gets 412', async () => {
    const { customer } = await container.customers.create(input(), ctx, full);
    const results = await Promise.allSettled([
      container.customers.update(customer.id, { stage: 'active', reason: 'a' }, 1, ctx, full),
      container.customers.update(customer.id, { stage: 'loyal', reason: 'b' }, 1, ctx, full),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(PreconditionFailedError);
    const history = await container.customers.history(customer.id, ctx, {});
    expect(history.items.map((h) => h.version)).toEqual([2, 1]);
  });

  it('creates once for concurrent requests with one idempotency key', async () => {
    const body = input();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => container.customers.create(body, ctx, full, 'same-key').catch((e: Error) => e)),
    );
    const ids = new Set(results.map((r) => (r instanceof Error ? r.name : r.customer.id)));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(results.filter((r) => !(r instanceof Error) && !r.replayed)).toHaveLength(1);
  });

  it('does not change anything when a patch repeats current values', async () => {
    const body = input();
    const { customer } = await container.customers.create(body, ctx, full);
    const same = await container.customers.update(customer.id, { stage: body.stage, emails: body.emails, reason: 'no-op' }, 1, ctx, full);
    expect(same.version).toBe(1);
  });

  it('re-times the review when the tier changes', async () => {
    const { customer } = await container.customers.create(input({ tier: 'normal' }), ctx, full);
    const updated = await container.customers.update(customer.id, { tier: 'vip', reason: 'upgrade' }, 1, ctx, full);
    const days = (Date.parse(updated.review.dueAt) - Date.parse(customer.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(defaultReviewIntervals.vip);
  });

  it('answers not-found for an unknown id', async () => {
    await expect(container.customers.get('00000000-0000-4000-8000-000000000000', ctx, full)).rejects.toMatchObject({ kind: 'not-found' });
  });
});

describe('blind-index key', () => {
  it('is never created anew once records exist (a keys table restored without it fails closed)', async () => {
    const { client, prefix, endpoint } = await freshTables();
    const config = testConfig(prefix, endpoint);
    const keyService = new LocalKeyService(Buffer.alloc(32, 4));
    const first = createContainer(config, { dynamodb: client, keyService });
    await first.customers.create(input(), ctx, full);
    // The index key item disappears (a partial restore); a fresh instance must not replace it.
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    await client.send(new DeleteItemCommand({ TableName: `${prefix}-keys`, Key: { pk: { S: '__blind-index__' } } }));
    const fresh = createContainer(config, { dynamodb: client, keyService });
    await expect(fresh.customers.create(input(), ctx, full)).rejects.toThrow(/blind-index key is missing/);
    await expect(fresh.customers.list({ email: 'someone@example.com' }, ctx, full)).rejects.toThrow(/blind-index key is missing/);
  });
});
