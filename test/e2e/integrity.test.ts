import { GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IntegrityFailure } from '../../shared/platform/ports/index.js';
import { physicalTableName, dataTable } from '../../shared/platform/store/index.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * A record whose ciphertext was altered in the table (as someone with write access to
 * DynamoDB could) breaks neither the page it is on nor the other records: lists answer it
 * marked as damaged, reading or changing it answers a documented `integrity` problem, and
 * every such failure is reported for the IntegrityFailures alarm.
 */
let api: TestApi;
const failures: IntegrityFailure[] = [];
let agent: string;
let dpo: string;
/** Whole customers, and the one whose profile is damaged. */
let whole: string[] = [];
let damaged: string;

type RawItem = Record<string, AttributeValue>;
const tableName = () => physicalTableName(api.prefix, dataTable);

async function rawItem(pk: string, sk: string): Promise<RawItem> {
  const out = await api.client.send(new GetItemCommand({ TableName: tableName(), Key: { pk: { S: pk }, sk: { S: sk } } }));
  return out.Item!;
}

/** Flips one byte of a sealed value's ciphertext, keeping its format. */
function tamper(sealed: string): string {
  const [version, iv, body] = sealed.split('.');
  const bytes = Buffer.from(body!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  return `${version}.${iv}.${bytes.toString('base64url')}`;
}

/** Alters the sealed value at `path` (attribute names) of a stored item, directly in the table. */
async function corrupt(pk: string, sk: string, path: string[]): Promise<void> {
  const item = await rawItem(pk, sk);
  let holder: RawItem = item;
  for (const name of path.slice(0, -1)) holder = holder[name]!.M!;
  const last = path[path.length - 1]!;
  holder[last] = { S: tamper(holder[last]!.S!) };
  await api.client.send(new PutItemCommand({ TableName: tableName(), Item: item }));
}

beforeAll(async () => {
  api = await startTestApi({ overrides: { onIntegrityFailure: (failure) => failures.push(failure) } });
  agent = await api.token('agent');
  dpo = await api.token('dpo');
  await api.call('PUT', '/v1/purposes/marketing', {
    token: dpo,
    body: { name: 'Marketing', description: 'Offers', noticeVersion: 'i1', requiresConsent: true, fields: ['name', 'tier'] },
  });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const res = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer({ tier: 'integrity' }) });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
    await api.call('POST', `/v1/customers/${res.body.id}/consents`, {
      token: agent,
      body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: 'i1', evidence: `form ${i}` },
    });
  }
  [damaged] = ids as [string];
  whole = ids.slice(1);
  await corrupt(`CUSTOMER#${damaged}`, 'PROFILE', ['sealed', 'name']);
});
afterAll(() => api?.close());

describe('a record whose ciphertext was altered in the table', () => {
  it('is listed as damaged while the rest of the page answers', async () => {
    failures.length = 0;
    const res = await api.call('GET', '/v1/customers?tier=integrity', { token: agent });
    expect(res.status).toBe(200);
    const byId = new Map(res.body.items.map((item: { id: string }) => [item.id, item]));
    expect(byId.get(damaged)).toEqual({ id: damaged, integrity: 'failed' });
    for (const id of whole) expect(byId.get(id)).toMatchObject({ id, name: expect.stringMatching(/^Testname/) });
    expect(failures).toEqual([{ record: 'customer', customerId: damaged }]);
  });

  it('answers a documented integrity problem to a lookup and to a change, and changes nothing', async () => {
    failures.length = 0;
    const read = await api.call('GET', `/v1/customers/${damaged}`, { token: agent });
    expect(read.status).toBe(500);
    expect(read.headers.get('content-type')).toContain('application/problem+json');
    expect(read.body).toMatchObject({ type: 'urn:kehu:problem:integrity', status: 500, field: 'id' });
    const before = await rawItem(`CUSTOMER#${damaged}`, 'PROFILE');
    const patch = await api.call('PATCH', `/v1/customers/${damaged}`, {
      token: agent,
      body: { stage: 'active', reason: 'integrity probe' },
      headers: { 'if-match': '"1"' },
    });
    expect(patch.status).toBe(500);
    expect(patch.body).toMatchObject({ type: 'urn:kehu:problem:integrity', field: 'id' });
    expect(await rawItem(`CUSTOMER#${damaged}`, 'PROFILE')).toEqual(before);
    expect(failures).toEqual([
      { record: 'customer', customerId: damaged },
      { record: 'customer', customerId: damaged },
    ]);
    // The other records read and change as before.
    const other = await api.call('GET', `/v1/customers/${whole[0]}`, { token: agent });
    expect(other.status).toBe(200);
  });

  it('lists a history entry whose sealed reason was altered without its reason, and the others with theirs', async () => {
    const [customerId] = whole as [string];
    const patch = await api.call('PATCH', `/v1/customers/${customerId}`, {
      token: agent,
      body: { stage: 'active', reason: 'asked by phone' },
      headers: { 'if-match': '"1"' },
    });
    expect(patch.status).toBe(200);
    await corrupt(`CUSTOMER#${customerId}`, 'HISTORY#0000000001', ['sealedReason']);
    failures.length = 0;
    const res = await api.call('GET', `/v1/customers/${customerId}/history`, { token: dpo });
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ version: 2, reason: 'asked by phone' }),
      expect.objectContaining({ version: 1, action: 'created', integrity: 'failed' }),
    ]);
    expect(res.body.items[1].reason).toBeUndefined();
    expect(failures).toEqual([{ record: 'history', customerId }]);
  });

  it('is marked in the marketing export, which still holds the others', async () => {
    const res = await api.call('POST', '/v1/exports/marketing', { token: await api.token('marketer'), body: { segment: { tier: 'integrity' } } });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({ id: damaged, integrity: 'failed' });
    for (const id of whole) expect(res.body.items).toContainEqual(expect.objectContaining({ id, name: expect.any(String) }));
  });

  it('leaves the other interactions of a customer readable', async () => {
    const [customerId] = whole as [string];
    const made = [];
    for (const summary of ['first call', 'second call']) {
      const res = await api.call('POST', `/v1/customers/${customerId}/interactions`, {
        token: agent,
        body: { channel: 'phone', occurredAt: `2026-11-2${made.length}T09:00:00.000Z`, participants: ['Agent'], summary },
      });
      made.push(res.body);
    }
    await corrupt(`CUSTOMER#${customerId}`, `INTERACTION#${made[0].occurredAt}#${made[0].id}`, ['sealed', 'summary']);
    failures.length = 0;
    const res = await api.call('GET', `/v1/customers/${customerId}/interactions`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.body.items).toContainEqual({ id: made[0].id, customerId, occurredAt: made[0].occurredAt, integrity: 'failed' });
    expect(res.body.items).toContainEqual(expect.objectContaining({ id: made[1].id, summary: 'second call' }));
    expect(failures).toEqual([{ record: 'interaction', customerId }]);
  });

  it('marks a consent decision whose evidence was altered, and keeps the decision', async () => {
    const [, customerId] = whole as [string, string];
    const raw = await api.call('GET', `/v1/customers/${customerId}/consents`, { token: agent });
    const decision = raw.body.history[0];
    await corrupt(`CUSTOMER#${customerId}`, `CONSENT#LOG#${decision.at}#marketing#1`, ['sealedEvidence']);
    failures.length = 0;
    const res = await api.call('GET', `/v1/customers/${customerId}/consents`, { token: agent });
    expect(res.status).toBe(200);
    expect(res.body.history[0]).toMatchObject({ purposeId: 'marketing', action: 'give', integrity: 'failed' });
    expect(res.body.history[0].evidence).toBeUndefined();
    expect(res.body.current[0]).toMatchObject({ purposeId: 'marketing', status: 'given' });
    expect(failures).toEqual([{ record: 'consent', customerId }]);
  });

  it('shows a request whose details were altered, marked, and lists it with the others', async () => {
    const [customerId] = whole as [string];
    const make = (details: string) =>
      api.call('POST', '/v1/requests', { token: agent, body: { customerId, type: 'access', jurisdiction: 'GDPR', channel: 'email', details } });
    const bad = (await make('Send me my data')).body;
    const good = (await make('And my consents')).body;
    await corrupt(`REQUEST#${bad.id}`, 'REQUEST', ['sealedDetails']);
    failures.length = 0;
    const read = await api.call('GET', `/v1/requests/${bad.id}`, { token: dpo });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: bad.id, status: 'received', integrity: 'failed' });
    expect(read.body.details).toBeUndefined();
    expect((await api.call('GET', `/v1/requests/${good.id}`, { token: dpo })).body.details).toBe('And my consents');
    const list = await api.call('GET', `/v1/requests?customerId=${customerId}`, { token: dpo });
    expect(list.status).toBe(200);
    expect(list.body.items.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([bad.id, good.id]));
    expect(failures).toEqual([{ record: 'request', customerId }]);
  });
});
