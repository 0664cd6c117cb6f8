import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { createObservability } from '../../functions/http/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import type { Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** SEC-4 end to end: every read and change leaves an entry, and the trail verifies. */
let api: TestApi;
let agent: string;
let auditor: string;
const window = () => ({ from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

beforeAll(async () => {
  api = await startTestApi();
  agent = await api.token('agent', 'agent-7');
  auditor = await api.token('auditor');
});
afterAll(() => api?.close());

describe('audit trail', () => {
  it('records every route that reads or changes a customer: actor, role, purpose, action, request id', async () => {
    const body = newCustomer();
    const created = await api.call('POST', '/v1/customers', { token: agent, body });
    const id = created.body.id as string;
    await api.call('GET', `/v1/customers/${id}?purpose=contact`, { token: agent });
    await api.call('GET', `/v1/customers?email=${encodeURIComponent(body.emails[0])}`, { token: agent });
    await api.call('PATCH', `/v1/customers/${id}`, { token: agent, body: { stage: 'active', reason: 'bought' }, headers: { 'if-match': '"1"' } });
    await api.call('POST', `/v1/customers/${id}/verifications`, { token: agent, body: { method: 'document' } });
    await api.call('GET', `/v1/customers/${id}/history`, { token: await api.token('admin', 'admin-1') });

    const trail = await api.call('GET', `/v1/audit?targetId=${id}`, { token: auditor });
    expect(trail.status).toBe(200);
    const actions = trail.body.items.map((e: { action: string }) => e.action).sort();
    expect(actions).toEqual(['customer.create', 'customer.history', 'customer.list', 'customer.read', 'customer.update', 'customer.verify']);
    const read = trail.body.items.find((e: { action: string }) => e.action === 'customer.read');
    expect(read).toMatchObject({ actor: 'agent-7', role: 'agent', purpose: 'contact', targetType: 'customer', targetId: id });
    expect(read.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(read).toMatchObject({ format: 'kehu-audit-2' });
    expect(read.mac).toMatch(/^[0-9a-f]{64}$/);

    const byActor = await api.call('GET', '/v1/audit?actor=agent-7&limit=100', { token: auditor });
    expect(byActor.body.items.length).toBeGreaterThanOrEqual(5);
  });

  it('records a search that found nobody', async () => {
    const searches = async () =>
      (await api.call('GET', '/v1/audit?actor=agent-7&limit=100', { token: auditor })).body.items.filter((e: { action: string }) => e.action === 'customer.search');
    const before = await searches();
    await api.call('GET', '/v1/customers?email=nobody-here%40example.com', { token: agent });
    const after = await searches();
    expect(after.length).toBe(before.length + 1);
    // Each empty search is its own target, so no index key is shared by all of them.
    expect(after[0]).toMatchObject({ action: 'customer.search', actor: 'agent-7', targetType: 'search' });
    expect(after[0].targetId).toBe(after[0].requestId);
    const byTarget = await api.call('GET', `/v1/audit?targetType=search&targetId=${after[0].targetId}`, { token: auditor });
    expect(byTarget.body.items).toHaveLength(1);
  });

  it('verifies the chains, and names the entry edited directly in the table', async () => {
    const ok = await api.call('POST', '/v1/audit/verify', { token: auditor, body: window() });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true });
    expect(ok.body.entriesChecked).toBeGreaterThan(5);

    const victim = (await api.call('GET', '/v1/audit?actor=agent-7&limit=1', { token: auditor })).body.items[0];
    await api.rewriteAuditPurpose(victim);
    const tampered = await api.call('POST', '/v1/audit/verify', { token: auditor, body: window() });
    expect(tampered.body.ok).toBe(false);
    expect(tampered.body.firstFailure).toMatchObject({ chain: victim.chain, seq: victim.seq, reason: 'hash' });
  });

  it('answers 400 for a range over 31 days and for a listing without target or actor', async () => {
    const long = await api.call('POST', '/v1/audit/verify', { token: auditor, body: { from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' } });
    expect(long.status).toBe(400);
    expect(long.body.field).toBe('to');
    const unbounded = await api.call('GET', '/v1/audit', { token: auditor });
    expect(unbounded.status).toBe(400);
    expect(unbounded.body.field).toBe('targetId');
  });
});

describe('audit trail against someone who can write the table', () => {
  let own: TestApi;
  let auditorToken: string;
  const range = { from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 600_000).toISOString() };
  const verifyAll = async () => {
    const answers: Array<Record<string, any>> = [];
    let cursor: string | undefined;
    do {
      const answer = await own.call('POST', '/v1/audit/verify', { token: auditorToken, body: { ...range, ...(cursor ? { cursor } : {}) } });
      expect(answer.status).toBe(200);
      answers.push(answer.body);
      cursor = answer.body.next;
    } while (cursor);
    return answers;
  };

  beforeAll(async () => {
    // A small page of work per call, so that a handful of requests spans several calls.
    own = await startTestApi({ config: { auditVerifyPageEntries: 4 } });
    auditorToken = await own.token('auditor');
    const token = await own.token('agent', 'agent-9');
    for (let i = 0; i < 9; i++) await own.call('POST', '/v1/customers', { token, body: newCustomer() });
  });
  afterAll(() => own?.close());

  it('pages the verification with an authenticated cursor, and refuses one made up', async () => {
    const answers = await verifyAll();
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.every((a) => a.ok === true && a.entriesChecked <= 4)).toBe(true);
    expect(answers.reduce((n, a) => n + a.entriesChecked, 0)).toBeGreaterThanOrEqual(9);
    const forged = await own.call('POST', '/v1/audit/verify', { token: auditorToken, body: { ...range, cursor: 'e30' } });
    expect(forged.status).toBe(400);
    expect(forged.body.field).toBe('cursor');
  });

  it('detects the newest entries of a chain removed after the checkpoint job ran', async () => {
    // The checkpoint job, as the schedule puts it on the jobs queue, through the queue's consumer.
    const sample = JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
    const jobs = createJobsHandler(own.container, await createObservability('jobs'));
    const ran = await jobs({ Records: [{ ...sample.Records[0]!, body: JSON.stringify({ job: 'audit-checkpoint' }) }] });
    expect(ran.batchItemFailures).toEqual([]);
    expect(readFileSync(join(own.dataDir, 'audit-checkpoints.log'), 'utf8').trim().split('\n')).toHaveLength(1);
    const [first] = await verifyAll();
    expect(first).toMatchObject({ ok: true, checkpoint: { chains: expect.any(Number) } });

    const newest = (await own.call('GET', '/v1/audit?actor=agent-9&limit=1', { token: auditorToken })).body.items[0];
    await own.client.send(
      new DeleteItemCommand({
        TableName: `${own.prefix}-audit`,
        Key: { pk: { S: `CHAIN#${newest.chain}` }, sk: { S: String(newest.seq).padStart(12, '0') } },
      }),
    );
    const [after] = await verifyAll();
    expect(after).toMatchObject({ ok: false, firstFailure: { chain: newest.chain, seq: newest.seq, reason: 'truncated' } });
    expect(after!.next).toBeUndefined();
  });
});

/** A store whose transactions fail whenever they carry an audit entry. */
class AuditlessStore implements Store {
  inner!: Store;
  get: Store['get'] = (...args) => this.inner.get(...args);
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  query: Store['query'] = (...args) => this.inner.query(...args);
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  count: Store['count'] = (...args) => this.inner.count(...args);
  transact: Store['transact'] = (writes) =>
    writes.some((w) => w.table === 'audit') ? Promise.reject(new UnavailableError('store')) : this.inner.transact(writes);
}

describe('when the audit entry cannot be written', () => {
  it('the action does not happen: no record created, no record returned', async () => {
    const store = new AuditlessStore();
    const broken = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(broken.client, broken.prefix);
    try {
      const token = await broken.token('agent');
      const created = await broken.call('POST', '/v1/customers', { token, body: newCustomer() });
      expect(created.status).toBe(503);
      const items = await scanAll(broken.client, broken.prefix);
      expect(items.filter((i) => (i.sk as { S?: string } | undefined)?.S === 'PROFILE')).toHaveLength(0);
      expect(items.filter((i) => (i.sk as { S?: string } | undefined)?.S === 'GUARD')).toHaveLength(0);
      const list = await broken.call('GET', '/v1/customers', { token });
      expect(list.status).toBe(503);
      expect(list.body.items).toBeUndefined();
    } finally {
      await broken.close();
    }
  });
});
