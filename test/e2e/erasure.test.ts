import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../shared/crypto/index.js';
import { UnavailableError } from '../../shared/errors/index.js';
import type { Store } from '../../shared/ports/index.js';
import { DynamoStore } from '../../shared/store/index.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** DSR-3 end to end: erasure by crypto-shredding through the local queue. */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

async function customerWithHistory(target: TestApi) {
  const agent = await target.token('agent');
  const dpo = await target.token('dpo');
  const body = newCustomer();
  const { body: customer } = await target.call('POST', '/v1/customers', { token: agent, body });
  await target.call('PUT', '/v1/purposes/marketing', {
    token: dpo,
    body: { name: 'Marketing', description: 'Offers', noticeVersion: 'e1', requiresConsent: true, fields: ['name', 'phones'] },
  });
  await target.call('POST', `/v1/customers/${customer.id}/consents`, {
    token: agent,
    body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: 'e1', evidence: 'form 1' },
  });
  await target.call('POST', `/v1/customers/${customer.id}/interactions`, {
    token: agent,
    body: { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: 'Wants to leave' },
  });
  await target.call('POST', '/v1/partners', {
    token: dpo,
    body: { id: 'acme', name: 'ACME', agreementRef: 'DSA-1', purposes: ['marketing'], fields: ['name', 'phones'] },
  });
  await target.call('POST', '/v1/shares', {
    token: dpo,
    body: { partnerId: 'acme', purposeId: 'marketing', fields: ['name'], customerIds: [customer.id], legalBasis: 'consent' },
  });
  const request = (
    await target.call('POST', '/v1/requests', {
      token: agent,
      body: { customerId: customer.id, type: 'erase', jurisdiction: 'GDPR', channel: 'email', details: 'Delete everything about me' },
    })
  ).body;
  await target.call('POST', `/v1/requests/${request.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
  return { customer, body, request, dpo };
}

const itemsOf = async (target: TestApi, customerId: string) =>
  (await scanAll(target.client, target.prefix)).filter((item) => {
    const pk = (item.pk as { S?: string })?.S ?? '';
    return pk === `CUSTOMER#${customerId}` || pk === customerId;
  });

describe('erasure', () => {
  it('deletes every item and the key, certifies, and leaves old ciphertext unopenable and the trail verifiable', async () => {
    const { customer, body, request, dpo } = await customerWithHistory(api);
    const before = await itemsOf(api, customer.id);
    expect(before.length).toBeGreaterThan(4);
    const sealedName = ((before.find((i) => (i.sk as { S: string }).S === 'PROFILE')!.sealed as { M: Record<string, { S: string }> }).M.name!).S;
    const key = await api.container.keys.get(customer.id);
    expect(JSON.parse(open(key, sealedName, { customerId: customer.id, field: 'name' }))).toBe(body.name);

    const approved = await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    expect(approved.body.status).toBe('in-progress');
    await api.queues.erasure.drain();

    expect(await itemsOf(api, customer.id)).toEqual([]);
    const guards = (await scanAll(api.client, api.prefix)).filter((i) => (i.sk as { S?: string })?.S === 'GUARD');
    expect(guards.length).toBe(0);
    await expect(api.coldKeys().get(customer.id)).rejects.toThrow(/data key/);
    expect((await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
    const email = encodeURIComponent(body.emails[0]);
    expect((await api.call('GET', `/v1/customers?email=${email}`, { token: dpo })).body.items).toEqual([]);

    const finished = await api.call('GET', `/v1/requests/${request.id}`, { token: dpo });
    expect(finished.body.status).toBe('completed');
    expect(finished.body.details).toBeUndefined();
    const certificates = await api.call('GET', '/v1/destruction-certificates', { token: await api.token('auditor') });
    expect(certificates.body.items[0]).toMatchObject({ requestId: request.id, reason: 'request', actor: 'erasure-worker' });
    expect(certificates.body.items[0].subjectRef).not.toContain(customer.id);

    const range = { from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const verified = await api.call('POST', '/v1/audit/verify', { token: await api.token('auditor'), body: range });
    expect(verified.body.ok).toBe(true);

    // A second erase of an erased customer: nothing to ask for.
    const again = await api.call('POST', '/v1/requests', {
      token: dpo,
      body: { customerId: customer.id, type: 'erase', jurisdiction: 'GDPR', channel: 'email' },
    });
    expect(again.status).toBe(404);
  });
});

/** A store that fails chosen operations a number of times, then works. */
class FaultyStore implements Store {
  inner!: Store;
  failures = 0;
  when: (writes: Parameters<Store['transact']>[0]) => boolean = () => false;
  get: Store['get'] = (...args) => this.inner.get(...args);
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  query: Store['query'] = (...args) => this.inner.query(...args);
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  transact: Store['transact'] = (writes) => {
    if (this.failures > 0 && this.when(writes)) {
      this.failures -= 1;
      return Promise.reject(new UnavailableError('store'));
    }
    return this.inner.transact(writes);
  };
}

describe('erasure under faults', () => {
  it.each([
    ['hiding the record', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'put' && (x.item as { erasure?: unknown }).erasure !== undefined)],
    ['deleting items', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'delete' && x.table === 'data')],
    ['destroying the key', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'delete' && x.table === 'keys')],
    ['certifying', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.label === 'certificate')],
  ])('finishes after retries when %s fails twice', async (_step, when) => {
    const store = new FaultyStore();
    const faulty = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(faulty.client, faulty.prefix);
    try {
      const { customer, request, dpo } = await customerWithHistory(faulty);
      store.when = when;
      store.failures = 2;
      await faulty.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await faulty.queues.erasure.drain();
      expect(store.failures).toBe(0);
      expect(await itemsOf(faulty, customer.id)).toEqual([]);
      expect(faulty.queues.erasure.deadLetters).toEqual([]);
      expect((await faulty.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('completed');
    } finally {
      await faulty.close();
    }
  });

  it('ends in the dead-letter queue with the customer hidden but intact when the key cannot be destroyed', async () => {
    const store = new FaultyStore();
    const faulty = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(faulty.client, faulty.prefix);
    try {
      const { customer, request, dpo } = await customerWithHistory(faulty);
      store.when = (w) => w.some((x) => x.op === 'delete' && x.table === 'keys');
      store.failures = 1000;
      await faulty.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await faulty.queues.erasure.drain();
      expect(faulty.queues.erasure.deadLetters).toHaveLength(1);
      expect(faulty.queues.erasure.deadLetters[0]).not.toMatch(/@|Testname/);
      // Hidden from every reader, but the key is still there: nothing half-destroyed and unflagged.
      expect((await faulty.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
      expect(await faulty.coldKeys().get(customer.id)).toHaveLength(32);
      expect((await faulty.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('in-progress');
    } finally {
      await faulty.close();
    }
  });
});

describe('legal holds', () => {
  it('stop an erasure, with the reason recorded on the request and shown to the customer', async () => {
    const { customer, request, dpo } = await customerWithHistory(api);
    const agentPatch = await api.call('PATCH', `/v1/customers/${customer.id}`, {
      token: await api.token('agent'),
      body: { legalHolds: [{ reason: 'open dispute 2026-17' }], reason: 'dispute' },
      headers: { 'if-match': '"1"' },
    });
    expect(agentPatch.status).toBe(403);
    expect(agentPatch.body.field).toBe('legalHolds');
    const current = await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo });
    const held = await api.call('PATCH', `/v1/customers/${customer.id}`, {
      token: dpo,
      body: { legalHolds: [{ reason: 'open dispute 2026-17', until: '2099-12-31' }], reason: 'dispute opened' },
      headers: { 'if-match': `"${current.body.version}"` },
    });
    expect(held.status).toBe(200);

    const approved = await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    expect(approved.body).toMatchObject({ status: 'rejected', rejectionReason: expect.stringContaining('open dispute 2026-17') });
    await api.queues.erasure.drain();
    expect((await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(200);
    expect(await api.coldKeys().get(customer.id)).toHaveLength(32);

    // A hold that ended no longer stops anything.
    const later = await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo });
    await api.call('PATCH', `/v1/customers/${customer.id}`, {
      token: dpo,
      body: { legalHolds: [{ reason: 'open dispute 2026-17', until: '2020-01-01' }], reason: 'dispute settled' },
      headers: { 'if-match': `"${later.body.version}"` },
    });
    const second = (
      await api.call('POST', '/v1/requests', { token: dpo, body: { customerId: customer.id, type: 'erase', jurisdiction: 'GDPR', channel: 'email' } })
    ).body;
    await api.call('POST', `/v1/requests/${second.id}/transitions`, { token: dpo, body: { action: 'verify-identity' } });
    expect((await api.call('POST', `/v1/requests/${second.id}/transitions`, { token: dpo, body: { action: 'approve' } })).body.status).toBe('in-progress');
    await api.queues.erasure.drain();
    expect((await api.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
  });
});
