import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { StoreItem, Write } from '../../shared/platform/ports/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** DSR-1: an access export's lists are capped at 10,000 rows, and a list cut by the cap says so. */
const CAP = 10_000;
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'service' };
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'access-request' };
let container: Container;
let customerId: string;
let requestId: string;
let template: StoreItem;

/** Copies of a stored interaction under new ids and times: sealed for this customer, so each opens. */
async function addInteractions(count: number, offset: number): Promise<void> {
  const writes: Write[] = Array.from({ length: count }, (_, i) => {
    const id = randomUUID();
    const at = new Date(Date.parse('2026-01-01T00:00:00.000Z') - (offset + i) * 60_000).toISOString();
    return { op: 'put', table: 'data', item: { ...template, sk: `INTERACTION#${at}#${id}`, id, occurredAt: at, gsi3sk: `${at}#${customerId}#${id}` } };
  });
  for (let i = 0; i < writes.length; i += 100) await container.store.transact(writes.slice(i, i + 100));
}

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  container = createContainer(testConfig(prefix, endpoint), { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 4)) });
  const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, agent, resolveView('agent').view);
  customerId = customer.id;
  const made = await container.interactions.create(
    customerId,
    { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: 'Called about an invoice' },
    agent,
  );
  template = (await container.store.get('data', { pk: `CUSTOMER#${customerId}`, sk: `INTERACTION#${made.occurredAt}#${made.id}` }))!;
  await addInteractions(CAP - 1, 0);
  const request = await container.requests.create({ customerId, type: 'access', jurisdiction: 'GDPR', channel: 'email' }, agent);
  await container.requests.transition(request.id, { action: 'verify-identity' }, agent);
  await container.requests.transition(request.id, { action: 'approve' }, { ...dpo, purpose: 'service' });
  requestId = request.id;
}, 120_000);

describe('access export at the row cap', () => {
  it('holds all 10,000 interactions and calls nothing truncated', async () => {
    const document = await container.requests.export(requestId, dpo);
    expect(document.interactions).toHaveLength(CAP);
    expect(document.truncated).toBeUndefined();
    expect(document.interactions.every((i) => 'summary' in i && i.summary === 'Called about an invoice')).toBe(true);
  });

  it('names the interactions truncated once there is one more than the cap', { timeout: 60_000 }, async () => {
    await addInteractions(1, CAP);
    const document = await container.requests.export(requestId, dpo);
    expect(document.interactions).toHaveLength(CAP);
    expect(document.truncated).toEqual(['interactions']);
  });
});
