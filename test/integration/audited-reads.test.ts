import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerNotFoundError, resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { Store, Write } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/**
 * A read of one customer sends its audit entry alongside the read: the answer still waits
 * for the entry, and fails with it.
 */
const context = { actor: { id: 'agent-7', role: 'agent' as const, requestId: 'read-1' }, purpose: 'service' };
const view = resolveView('agent').view;
const isAudit = (writes: Write[]) => writes.some((w) => w.table === 'audit');

/** The real store, except that audit writes wait for `release` or fail while `failAudit` is set. */
class GatedStore implements Store {
  inner!: Store;
  failAudit = false;
  private gate?: { opened: Promise<void>; open(): void };
  /** Resolves when an audit write has reached the store and is being held. */
  auditHeld?: Promise<void>;
  private held?: () => void;
  /** Resolves when a profile read has come back from DynamoDB. */
  profileRead?: Promise<void>;
  private profileDone?: () => void;
  /** Whether the profile read was still out when the audit write arrived (it waits up to 2 s for it). */
  auditSentDuringRead = false;

  holdAudit(): void {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    this.gate = { opened, open };
    this.auditHeld = new Promise<void>((resolve) => (this.held = resolve));
    this.profileRead = new Promise<void>((resolve) => (this.profileDone = resolve));
  }

  release(): void {
    this.gate?.open();
    this.gate = undefined;
    this.auditHeld = undefined;
  }

  get: Store['get'] = async (table, key) => {
    const item = await this.inner.get(table, key);
    if (table === 'data' && key.sk === 'PROFILE' && this.auditHeld) {
      const held = await Promise.race([this.auditHeld.then(() => true), new Promise<false>((resolve) => setTimeout(resolve, 2000, false))]);
      this.auditSentDuringRead = held;
      this.profileDone?.();
    }
    return item as never;
  };
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  query: Store['query'] = (...args) => this.inner.query(...args);
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  count: Store['count'] = (...args) => this.inner.count(...args);
  transact: Store['transact'] = async (writes) => {
    if (isAudit(writes) && this.failAudit) throw new UnavailableError('store');
    if (isAudit(writes) && this.gate) {
      this.held?.();
      await this.gate.opened;
    }
    return this.inner.transact(writes);
  };
}

let store: GatedStore;
let container: Container;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  store = new GatedStore();
  store.inner = new DynamoStore(client, prefix);
  container = createContainer(testConfig(prefix, endpoint), { dynamodb: client, store, keyService: new LocalKeyService(Buffer.alloc(32, 4)) });
});

const entriesFor = async (id: string) =>
  (await container.audit.list({ target: { type: 'customer', id } }, {}, { limit: 10 })).items.filter((e) => e.action === 'customer.read');

describe('an audited read of one customer', () => {
  it('answers only once its audit entry is written, though both were sent together', async () => {
    const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, context, view);
    store.holdAudit();
    let answered = false;
    const reading = container.customers.get(customer.id, context, view).then((record) => {
      answered = true;
      return record;
    });
    try {
      // The entry was sent while the profile was being read, and is held after the profile came back.
      await Promise.all([store.auditHeld, store.profileRead]);
      expect(store.auditSentDuringRead).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(answered).toBe(false);
      expect(await entriesFor(customer.id)).toHaveLength(0);
    } finally {
      store.release();
    }
    expect((await reading).id).toBe(customer.id);
    const [entry] = await entriesFor(customer.id);
    expect(entry).toMatchObject({ actor: 'agent-7', role: 'agent', purpose: 'service', requestId: 'read-1' });
  });

  it('fails when its audit entry cannot be written, and the record is not answered', async () => {
    const { customer } = await container.customers.create(newCustomer() as CreateCustomerInput, context, view);
    store.failAudit = true;
    try {
      await expect(container.customers.get(customer.id, context, view)).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      store.failAudit = false;
    }
    expect(await entriesFor(customer.id)).toHaveLength(0);
    // The chain the failed write had picked is still whole for the next read.
    await container.customers.get(customer.id, context, view);
    expect(await entriesFor(customer.id)).toHaveLength(1);
    const window = { from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    expect(await container.audit.verify(window)).toMatchObject({ ok: true });
  });

  it('records an attempt on a customer who does not exist, and answers not found', async () => {
    const id = '00000000-0000-4000-8000-000000000001';
    await expect(container.customers.get(id, context, view)).rejects.toBeInstanceOf(CustomerNotFoundError);
    expect(await entriesFor(id)).toHaveLength(1);
  });
});
