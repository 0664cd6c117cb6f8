import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/errors/index.js';
import type { Store } from '../../shared/ports/index.js';
import { DynamoStore } from '../../shared/store/index.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { startTestApi } from '../support/local-api.js';

/** DSR-3 under failure: every step of the erasure consumer, retried or dead-lettered, never half done. */
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

