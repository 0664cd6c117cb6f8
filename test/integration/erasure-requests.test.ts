import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { ConflictError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent } from '../../shared/platform/ports/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** What the erasure worker checks of the request a message names, and what it tells the customer (DSR-3). */
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'service' };
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'service' };
const view = resolveView('dpo').view;
const published: DomainEvent[] = [];
let container: Container;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const events = { publish: async (e: DomainEvent[]) => void published.push(...e) };
  container = createContainer(testConfig(prefix, endpoint), { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 9)), events });
});

async function approvedRequest(type: 'erase' | 'access' = 'erase') {
  const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, agent, view);
  const request = await container.requests.create({ customerId: customer.id, type, jurisdiction: 'PIPL', channel: 'phone', details: 'Please act' }, agent);
  await container.requests.transition(request.id, { action: 'verify-identity' }, agent);
  await container.requests.transition(request.id, { action: 'approve' }, dpo);
  return { customer, request };
}

describe('the erasure worker and its request', () => {
  it('closes the request with the reason when a hold placed after approval stops the erasure', async () => {
    const { customer, request } = await approvedRequest();
    const current = await container.customers.get(customer.id, dpo, view);
    await container.customers.update(customer.id, { legalHolds: [{ reason: 'court order 77' }], reason: 'court order' }, current.version, dpo, view);

    expect(await container.erasure.erase(customer.id, { requestId: request.id })).toBeUndefined();
    const closed = await container.requests.get(request.id, dpo);
    expect(closed).toMatchObject({ status: 'rejected', rejectionReason: expect.stringContaining('court order 77') });
    expect((await container.customers.get(customer.id, dpo, view)).id).toBe(customer.id);
    // The message again (a redelivery): nothing more happens, and nothing fails.
    expect(await container.erasure.erase(customer.id, { requestId: request.id })).toBeUndefined();
    expect((await container.requests.get(request.id, dpo)).transitions).toHaveLength(closed.transitions.length);
  });

  it('refuses a message that names no approved erasure of this customer, destroying nothing', async () => {
    const { customer, request } = await approvedRequest();
    const other = await approvedRequest('access');
    await expect(container.erasure.erase(other.customer.id, { requestId: request.id })).rejects.toBeInstanceOf(ConflictError);
    await expect(container.erasure.erase(other.customer.id, { requestId: other.request.id })).rejects.toBeInstanceOf(ConflictError);
    expect((await container.customers.get(customer.id, dpo, view)).id).toBe(customer.id);
    expect((await container.customers.get(other.customer.id, dpo, view)).id).toBe(other.customer.id);
  });

  it("strips the customer's words from their requests with a versioned write, and completes the request", async () => {
    const { customer, request } = await approvedRequest();
    const before = await container.requests.get(request.id, dpo);
    expect(before.details).toBe('Please act');
    const certificate = await container.erasure.erase(customer.id, { requestId: request.id });
    expect(certificate?.requestId).toBe(request.id);
    const after = await container.requests.get(request.id, dpo);
    expect(after).toMatchObject({ status: 'completed', outcome: 'erasure finished' });
    expect(after.details).toBeUndefined();
    expect(after.version).toBe(before.version + 2); // stripped, then completed
  });
});
