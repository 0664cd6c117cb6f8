import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** CON-4 end to end: partners with agreements, shares recorded or refused. */
let api: TestApi;
let dpo: string;
const consented: string[] = [];
let unconsented: string;

beforeAll(async () => {
  api = await startTestApi();
  dpo = await api.token('dpo', 'dpo-1');
  const agent = await api.token('agent');
  await api.call('PUT', '/v1/purposes/sharing-acme', {
    token: dpo,
    body: { name: 'Sharing with ACME logistics', description: 'Delivery', noticeVersion: 's1', requiresConsent: true, fields: ['name', 'phones', 'region'] },
  });
  for (let i = 0; i < 3; i++) {
    const { body } = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
    if (i < 2) {
      consented.push(body.id);
      await api.call('POST', `/v1/customers/${body.id}/consents`, {
        token: agent,
        body: { purposeId: 'sharing-acme', action: 'give', channel: 'online-form', noticeVersion: 's1' },
      });
    } else unconsented = body.id;
  }
});
afterAll(() => api?.close());

const partner = { id: 'acme', name: 'ACME Logistics', agreementRef: 'DSA-2026-007', purposes: ['sharing-acme'], fields: ['name', 'phones'] };
const share = (overrides: Record<string, unknown> = {}) => ({
  partnerId: 'acme',
  purposeId: 'sharing-acme',
  fields: ['name', 'phones'],
  customerIds: consented,
  legalBasis: 'consent',
  ...overrides,
});

describe('partners and shares', () => {
  it('registers a partner once', async () => {
    const created = await api.call('POST', '/v1/partners', { token: dpo, body: partner });
    expect(created.status).toBe(201);
    expect((await api.call('POST', '/v1/partners', { token: dpo, body: partner })).status).toBe(409);
    const unknownPurpose = await api.call('POST', '/v1/partners', { token: dpo, body: { ...partner, id: 'other', purposes: ['nothing'] } });
    expect(unknownPurpose.status).toBe(404);
    const list = await api.call('GET', '/v1/partners', { token: await api.token('auditor') });
    expect(list.body.items).toEqual([expect.objectContaining({ id: 'acme', agreementRef: 'DSA-2026-007' })]);
  });

  it('records a share with everything CON-4 names, answers the shared fields, and audits each customer', async () => {
    const res = await api.call('POST', '/v1/shares', { token: dpo, body: share() });
    expect(res.status).toBe(201);
    expect(res.body.share).toMatchObject({ partnerId: 'acme', agreementRef: 'DSA-2026-007', purposeId: 'sharing-acme', legalBasis: 'consent', actor: 'dpo-1' });
    expect(res.body.share.customerIds.sort()).toEqual([...consented].sort());
    expect(res.body.items).toHaveLength(2);
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['id', 'name', 'phones']);
    const listed = await api.call('GET', '/v1/shares?partnerId=acme', { token: await api.token('auditor') });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toContain(res.body.share.id);
    const trail = await api.call('GET', `/v1/audit?targetId=${consented[0]}`, { token: await api.token('auditor') });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toContain('share.create');

    // The customer's access export lists the share, found through the customer's own pointer.
    const request = (
      await api.call('POST', '/v1/requests', { token: dpo, body: { customerId: consented[0], type: 'access', jurisdiction: 'GDPR', channel: 'email' } })
    ).body;
    await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'verify-identity' } });
    await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    const exported = await api.call('GET', `/v1/requests/${request.id}/export`, { token: dpo });
    expect(exported.body.shares.map((s: { id: string }) => s.id)).toEqual([res.body.share.id]);
  });

  it('refuses a share without consent, without agreement, or beyond the agreement, recording nothing', async () => {
    const before = (await api.call('GET', '/v1/shares', { token: dpo })).body.items.length;
    const noConsent = await api.call('POST', '/v1/shares', { token: dpo, body: share({ customerIds: [consented[0], unconsented] }) });
    expect(noConsent.status).toBe(409);
    expect(noConsent.body.field).toBe('customerIds.1');
    await api.call('POST', '/v1/partners', { token: dpo, body: { ...partner, id: 'no-paper', agreementRef: undefined } });
    const noAgreement = await api.call('POST', '/v1/shares', { token: dpo, body: share({ partnerId: 'no-paper' }) });
    expect(noAgreement.status).toBe(409);
    expect(noAgreement.body.field).toBe('partnerId');
    await api.call('POST', '/v1/partners', { token: dpo, body: { ...partner, id: 'expired', agreementExpiresOn: '2020-01-01' } });
    expect((await api.call('POST', '/v1/shares', { token: dpo, body: share({ partnerId: 'expired' }) })).body.detail).toMatch(/expired/);
    const field = await api.call('POST', '/v1/shares', { token: dpo, body: share({ fields: ['name', 'region'] }) });
    expect(field.status).toBe(403);
    expect(field.body.field).toBe('fields.1');
    const unknown = await api.call('POST', '/v1/shares', { token: dpo, body: share({ partnerId: 'nobody' }) });
    expect(unknown.status).toBe(404);
    expect((await api.call('GET', '/v1/shares', { token: dpo })).body.items.length).toBe(before);
  });
});
