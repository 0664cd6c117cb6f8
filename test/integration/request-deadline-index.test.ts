import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** DSR-4: a closed request leaves the deadline index, so its deadline never alarms afterwards. */
let now: Container;
let later: Container;
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'data-subject-request' };
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'data-subject-request' };

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  const keyService = new LocalKeyService(Buffer.alloc(32, 9));
  now = createContainer(config, { dynamodb: client, keyService });
  later = createContainer(config, { dynamodb: client, keyService, clock: { now: () => new Date(Date.now() + 120 * 86_400_000) } });
});

describe('the open-request deadline index', () => {
  it('holds a request while open, and not once it was completed or rejected', async () => {
    const { customer } = await now.customers.create(newCustomer() as CreateCustomerInput, { actor: { id: 'seed', role: 'admin' }, purpose: 'service' }, resolveView('admin').view);
    const access = await now.requests.create({ customerId: customer.id, type: 'access', jurisdiction: 'GDPR', channel: 'email' }, agent);
    const rectify = await now.requests.create({ customerId: customer.id, type: 'rectify', jurisdiction: 'PIPL', channel: 'email' }, agent);
    expect(await later.requests.deadlines()).toEqual({ overdue: 2, dueSoon: 0 });

    await now.requests.transition(access.id, { action: 'verify-identity' }, agent);
    await now.requests.transition(access.id, { action: 'approve' }, dpo);
    await now.requests.transition(access.id, { action: 'complete' }, dpo);
    await now.requests.transition(rectify.id, { action: 'reject', reason: 'not the customer' }, dpo);
    expect(await later.requests.deadlines()).toEqual({ overdue: 0, dueSoon: 0 });
    const overdue = await later.requests.list({ overdue: 'true' }, dpo);
    expect(overdue.items).toEqual([]);
  });
});
