import { afterAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { KeyService, Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { createDynamoClient } from '../../shared/runtime/index.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * Dependencies failing mid-request: the caller gets 503 problem+json and nothing is half
 * written (no profile without its key, no guard without its profile).
 */
const apis: TestApi[] = [];
afterAll(() => Promise.all(apis.map((a) => a.close())));

/** A key service that works until told to fail. */
class FlakyKeyService implements KeyService {
  failing = false;
  constructor(private readonly inner: KeyService) {}
  generateDataKey(...args: Parameters<KeyService['generateDataKey']>) {
    if (this.failing) return Promise.reject(new UnavailableError('key-service'));
    return this.inner.generateDataKey(...args);
  }
  decryptDataKey(...args: Parameters<KeyService['decryptDataKey']>) {
    if (this.failing) return Promise.reject(new UnavailableError('key-service'));
    return this.inner.decryptDataKey(...args);
  }
  deriveMacKey(label: string) {
    return this.inner.deriveMacKey(label);
  }
}

/** A store whose commits fail on demand; everything else goes to DynamoDB Local. */
class FlakyStore implements Store {
  inner!: Store;
  failTransactions = false;
  get: Store['get'] = (...args) => this.inner.get(...args);
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  query: Store['query'] = (...args) => this.inner.query(...args);
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  count: Store['count'] = (...args) => this.inner.count(...args);
  transact: Store['transact'] = (writes) =>
    this.failTransactions ? Promise.reject(new UnavailableError('store')) : this.inner.transact(writes);
}

const profileItems = async (api: TestApi) =>
  (await scanAll(api.client, api.prefix)).filter((item) => (item.sk as { S?: string })?.S === 'PROFILE');
const guardItems = async (api: TestApi) =>
  (await scanAll(api.client, api.prefix)).filter((item) => (item.sk as { S?: string })?.S === 'GUARD');

describe('dependency failures', () => {
  it('answers 503 when the key service fails, writing nothing', async () => {
    const keyService = new FlakyKeyService(new LocalKeyService(Buffer.alloc(32, 1)));
    const api = await startTestApi({ overrides: { keyService } });
    apis.push(api);
    const agent = await api.token('agent');
    const ok = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    expect(ok.status).toBe(201);
    const before = { profiles: (await profileItems(api)).length, guards: (await guardItems(api)).length };

    keyService.failing = true;
    const failed = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    expect(failed.status).toBe(503);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(failed.body.type).toBe('urn:kehu:problem:unavailable');
    expect((await profileItems(api)).length).toBe(before.profiles);
    expect((await guardItems(api)).length).toBe(before.guards);

    // A read that needs a key not yet cached fails the same way, and recovers.
    api.container.keys['cache'].delete(ok.body.id);
    expect((await api.call('GET', `/v1/customers/${ok.body.id}`, { token: agent })).status).toBe(503);
    keyService.failing = false;
    expect((await api.call('GET', `/v1/customers/${ok.body.id}`, { token: agent })).status).toBe(200);
  });

  it('answers 503 when the store fails at the commit, writing nothing', async () => {
    const store = new FlakyStore();
    const api = await startTestApi({ overrides: { store } });
    apis.push(api);
    store.inner = new DynamoStore(api.client, api.prefix);
    const agent = await api.token('agent');
    expect((await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() })).status).toBe(201);
    store.failTransactions = true;
    const body = newCustomer();
    const failed = await api.call('POST', '/v1/customers', { token: agent, body });
    expect(failed.status).toBe(503);
    expect((await profileItems(api)).length).toBe(1);
    // The contacts of the failed create are still free.
    store.failTransactions = false;
    expect((await api.call('POST', '/v1/customers', { token: agent, body })).status).toBe(201);
  });

  it('answers 503 when DynamoDB cannot be reached', async () => {
    const unreachable = createDynamoClient({ region: 'local', dynamodbEndpoint: 'http://127.0.0.1:9' });
    const up = await startTestApi();
    apis.push(up);
    // Same tables and keys, but every store call goes to a closed port.
    const api = await startTestApi({
      overrides: { store: new DynamoStore(unreachable, up.prefix), keyService: new LocalKeyService(Buffer.alloc(32, 2)) },
    });
    apis.push(api);
    const agent = await api.token('agent');
    const res = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/store is unavailable/);
    const read = await api.call('GET', '/v1/customers/00000000-0000-4000-8000-000000000000', { token: agent });
    expect(read.status).toBe(503);
  });
});
