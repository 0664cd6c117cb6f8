import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../shared/platform/crypto/index.js';
import { scanAll } from '../support/dynamo.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { startTestApi, type TestApi } from '../support/local-api.js';
import { signIn } from '../support/self-service.js';

/** DSR-3 end to end: erasure by crypto-shredding through the local queue. */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

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

describe('legal holds', () => {
  it('stop an erasure, with the reason recorded on the request and shown to the customer', async () => {
    const { customer, body, request, dpo } = await customerWithHistory(api);
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
    // The customer sees why, with their own requests.
    const mine = await api.call('GET', '/v1/self/data', { token: await signIn(api, body.emails[0]) });
    expect(mine.body.requests.find((r: { id: string }) => r.id === request.id)).toMatchObject({ status: 'rejected', rejectionReason: expect.stringContaining('open dispute 2026-17') });
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

describe('legal holds that name categories', () => {
  const day = (date: Date) => date.toISOString().slice(0, 10);
  const DAY_MS = 86_400_000;

  it('narrow an erasure to what they do not keep; the sweep erases the rest once they end', async () => {
    let now = new Date();
    const target = await startTestApi({ overrides: { clock: { now: () => now } } });
    try {
      const { customer, body, request, dpo } = await customerWithHistory(target);
      const auditor = await target.token('auditor');
      const version = (await target.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).body.version;
      const patch = (legalHolds: unknown) =>
        target.call('PATCH', `/v1/customers/${customer.id}`, {
          token: dpo,
          body: { legalHolds, reason: 'tax audit opened' },
          headers: { 'if-match': `"${version}"` },
        });
      // What a hold keeps is destroyed when it ends: a narrowing hold must say when.
      const endless = await patch([{ reason: 'tax audit 2026-4', categories: ['interactions'] }]);
      expect(endless.status).toBe(400);
      expect(endless.body.field).toBe('legalHolds.0.until');
      const until = day(new Date(now.getTime() + 2 * DAY_MS));
      expect((await patch([{ reason: 'tax audit 2026-4', until, categories: ['interactions', 'consents'] }])).status).toBe(200);

      const approved = await target.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      expect(approved.body.status).toBe('in-progress');
      await target.queues.erasure.drain();
      expect(target.queues.erasure.deadLetters).toEqual([]);

      // Gone for every reader; only what the hold keeps remains, under a key that survives.
      expect((await target.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
      const email = encodeURIComponent(body.emails[0]);
      expect((await target.call('GET', `/v1/customers?email=${email}`, { token: dpo })).body.items).toEqual([]);
      const kinds = (await itemsOf(target, customer.id)).map((item) => ((item.sk as { S?: string })?.S ?? 'KEY').split('#')[0]);
      expect(new Set(kinds)).toEqual(new Set(['PROFILE', 'INTERACTION', 'CONSENT', 'KEY']));
      const remainder = (await itemsOf(target, customer.id)).find((item) => (item.sk as { S?: string })?.S === 'PROFILE')!;
      expect(remainder.sealed).toBeUndefined();
      expect((remainder.gsi3pk as { S?: string }).S).toMatch(/^RETAIN#held-remainder#\d+$/);
      const guards = (await scanAll(target.client, target.prefix)).filter((i) => (i.customerId as { S?: string })?.S === customer.id && (i.sk as { S?: string })?.S === 'GUARD');
      expect(guards).toEqual([]);
      expect(await target.coldKeys().get(customer.id)).toHaveLength(32);

      const finished = await target.call('GET', `/v1/requests/${request.id}`, { token: dpo });
      expect(finished.body).toMatchObject({ status: 'completed', outcome: expect.stringContaining('tax audit 2026-4') });
      const first = (await target.call('GET', '/v1/destruction-certificates', { token: auditor })).body.items[0];
      expect(first).toMatchObject({ requestId: request.id, reason: 'request', retained: [{ categories: ['interactions', 'consents'], reason: 'tax audit 2026-4', until }] });
      expect(first.categories).toEqual(expect.arrayContaining(['profile', 'contacts', 'change-history']));
      expect(first.categories).not.toEqual(expect.arrayContaining(['interactions']));
      expect(first.categories).not.toContain('data-key');

      // While the hold lasts a sweep leaves the remainder; the day after it ends, the sweep erases it.
      const sweep = () => target.call('POST', '/v1/retention/sweeps', { token: dpo });
      expect((await sweep()).body.customersQueued).toBe(0);
      now = new Date(now.getTime() + 3 * DAY_MS);
      expect((await sweep()).body.customersQueued).toBe(1);
      await target.queues.erasure.drain();
      expect(await itemsOf(target, customer.id)).toEqual([]);
      await expect(target.coldKeys().get(customer.id)).rejects.toThrow(/data key/);
      const second = (await target.call('GET', '/v1/destruction-certificates', { token: auditor })).body.items[0];
      expect(second).toMatchObject({ reason: 'expiry', subjectRef: first.subjectRef, categories: ['consents', 'interactions', 'data-key'] });

      const range = { from: new Date(Date.now() - 600_000).toISOString(), to: new Date(now.getTime() + 60_000).toISOString() };
      expect((await target.call('POST', '/v1/audit/verify', { token: auditor, body: range })).body.ok).toBe(true);
    } finally {
      await target.close();
    }
  });
});
