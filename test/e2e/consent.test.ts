import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** CON-1 and CON-2 end to end. */
let api: TestApi;
let admin: string;
let agent: string;
const marketing = { name: 'Marketing', description: 'Offers by email', noticeVersion: '2026-01', requiresConsent: true, fields: ['name', 'emails', 'region', 'tier'] };

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  agent = await api.token('agent', 'agent-3');
});
afterAll(() => api?.close());

const events = () =>
  readFileSync(join(api.dataDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; detail: Record<string, string> });

describe('purposes', () => {
  it('creates a purpose, replaces it with If-Match, and refuses stale or missing versions', async () => {
    const created = await api.call('PUT', '/v1/purposes/marketing', { token: admin, body: marketing });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'marketing', noticeVersion: '2026-01', version: 1 });
    expect((await api.call('PUT', '/v1/purposes/marketing', { token: admin, body: marketing })).status).toBe(428);
    expect((await api.call('PUT', '/v1/purposes/marketing', { token: admin, body: marketing, headers: { 'if-match': '"7"' } })).status).toBe(412);
    const list = await api.call('GET', '/v1/purposes', { token: await api.token('analyst') });
    expect(list.body.items.map((p: { id: string }) => p.id)).toContain('marketing');
    const bad = await api.call('PUT', '/v1/purposes/Bad_Id', { token: admin, body: marketing });
    expect(bad.body.field).toBe('purposeId');
    const unknownField = await api.call('PUT', '/v1/purposes/other', { token: admin, body: { ...marketing, fields: ['shoeSize'] } });
    expect(unknownField.body.field).toBe('fields.0');
    expect((await api.call('GET', '/v1/purposes/nothing', { token: agent })).status).toBe(404);
  });
});

describe('consent', () => {
  it('records give and withdraw with history, seals the evidence, and publishes the withdrawal', async () => {
    const { body: customer } = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    const give = await api.call('POST', `/v1/customers/${customer.id}/consents`, {
      token: agent,
      body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: '2026-01', evidence: 'Probeform A-123' },
    });
    expect(give.status).toBe(201);
    expect(give.body).toMatchObject({ purposeId: 'marketing', status: 'given', current: true });
    const withdraw = await api.call('POST', `/v1/customers/${customer.id}/consents`, {
      token: agent,
      body: { purposeId: 'marketing', action: 'withdraw', channel: 'phone' },
    });
    expect(withdraw.body).toMatchObject({ status: 'withdrawn', current: false });

    const consents = await api.call('GET', `/v1/customers/${customer.id}/consents`, { token: agent });
    expect(consents.body.current).toEqual([expect.objectContaining({ purposeId: 'marketing', status: 'withdrawn', current: false })]);
    expect(consents.body.history.map((h: { action: string }) => h.action)).toEqual(['withdraw', 'give']);
    expect(consents.body.history[1]).toMatchObject({ evidence: 'Probeform A-123', recordedBy: 'agent-3', channel: 'online-form' });
    expect(JSON.stringify(await scanAll(api.client, api.prefix))).not.toContain('Probeform');

    const withdrawn = events().find((e) => e.type === 'ConsentWithdrawn' && e.detail.customerId === customer.id);
    expect(withdrawn?.detail).toEqual({ customerId: customer.id, purposeId: 'marketing' });
    const trail = await api.call('GET', `/v1/audit?targetId=${customer.id}`, { token: await api.token('auditor') });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['consent.give', 'consent.withdraw', 'consent.read']));
  });

  it('answers 404 for an unknown purpose or customer, 409 for an outdated notice, 400 without a notice version', async () => {
    const { body: customer } = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    const post = (body: Record<string, unknown>, id = customer.id) => api.call('POST', `/v1/customers/${id}/consents`, { token: agent, body });
    const unknownPurpose = await post({ purposeId: 'telepathy', action: 'give', channel: 'phone', noticeVersion: '1' });
    expect(unknownPurpose.status).toBe(404);
    expect(unknownPurpose.body.field).toBe('purposeId');
    const unknownCustomer = await post({ purposeId: 'marketing', action: 'give', channel: 'phone', noticeVersion: '2026-01' }, '00000000-0000-4000-8000-000000000000');
    expect(unknownCustomer.status).toBe(404);
    const outdated = await post({ purposeId: 'marketing', action: 'give', channel: 'phone', noticeVersion: '2025-01' });
    expect(outdated.status).toBe(409);
    expect(outdated.body.field).toBe('noticeVersion');
    const noNotice = await post({ purposeId: 'marketing', action: 'give', channel: 'phone' });
    expect(noNotice.status).toBe(400);
    expect(noNotice.body.field).toBe('noticeVersion');
  });

  it('lists for renewal the customers who consented to an older notice, and counts them as not consented', async () => {
    await api.call('PUT', '/v1/purposes/newsletter', { token: admin, body: { ...marketing, name: 'Newsletter' } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
      ids.push(body.id);
      await api.call('POST', `/v1/customers/${body.id}/consents`, {
        token: agent,
        body: { purposeId: 'newsletter', action: 'give', channel: 'email', noticeVersion: '2026-01' },
      });
    }
    expect((await api.call('GET', '/v1/consents/renewals?purposeId=newsletter', { token: agent })).body.items).toEqual([]);

    const changed = await api.call('PUT', '/v1/purposes/newsletter', {
      token: admin,
      body: { ...marketing, name: 'Newsletter', noticeVersion: '2026-06' },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status).toBe(200);
    expect(events().some((e) => e.type === 'PurposeNoticeChanged' && e.detail.purposeId === 'newsletter' && e.detail.noticeVersion === '2026-06')).toBe(true);

    const renewals = await api.call('GET', '/v1/consents/renewals?purposeId=newsletter', { token: await api.token('marketer') });
    expect(renewals.body.noticeVersion).toBe('2026-06');
    expect(renewals.body.items.map((r: { customerId: string }) => r.customerId).sort()).toEqual([...ids].sort());
    const consents = await api.call('GET', `/v1/customers/${ids[0]}/consents`, { token: agent });
    expect(consents.body.current[0]).toMatchObject({ status: 'given', noticeVersion: '2026-01', current: false });

    // One customer renews: off the list, and a renewal event.
    await api.call('POST', `/v1/customers/${ids[0]}/consents`, {
      token: agent,
      body: { purposeId: 'newsletter', action: 'give', channel: 'email', noticeVersion: '2026-06' },
    });
    const after = await api.call('GET', '/v1/consents/renewals?purposeId=newsletter', { token: agent });
    expect(after.body.items.map((r: { customerId: string }) => r.customerId)).not.toContain(ids[0]);
    expect(events().some((e) => e.type === 'ConsentRenewed' && e.detail.customerId === ids[0])).toBe(true);
    for (const event of events()) expect(JSON.stringify(event)).not.toMatch(/@|Testname/);
  });
});
