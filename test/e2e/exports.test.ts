import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** Exports through HTTP: roles, the undefined purpose, and the audit of what left. */
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe('exports', () => {
  it('answers 404 naming the purpose before it is defined', async () => {
    const res = await api.call('POST', '/v1/exports/marketing', { token: await api.token('marketer'), body: {} });
    expect(res.status).toBe(404);
    expect(res.body.field).toBe('purposeId');
  });

  it('exports consented customers with the marketing fields and audits each one', async () => {
    const admin = await api.token('admin');
    const agent = await api.token('agent');
    await api.call('PUT', '/v1/purposes/marketing', {
      token: admin,
      body: { name: 'Marketing', description: 'Offers', noticeVersion: 'n1', requiresConsent: true, fields: ['name', 'emails'] },
    });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { body } = await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() });
      ids.push(body.id);
      if (i < 2) {
        await api.call('POST', `/v1/customers/${body.id}/consents`, {
          token: agent,
          body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: 'n1' },
        });
      }
    }
    const res = await api.call('POST', '/v1/exports/marketing', { token: await api.token('marketer', 'marketer-1'), body: { limit: 10 } });
    expect(res.status).toBe(200);
    expect(res.body.items.map((r: { id: string }) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    expect(Object.keys(res.body.items[0]).sort()).toEqual(['emails', 'id', 'name']);
    const trail = await api.call('GET', '/v1/audit?actor=marketer-1', { token: await api.token('auditor') });
    expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(['export.marketing', 'export.marketing']);

    const unknownField = await api.call('POST', '/v1/exports/marketing', { token: admin, body: { fields: ['shoeSize'] } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.field).toBe('fields.0');
    const notAllowed = await api.call('POST', '/v1/exports/marketing', { token: admin, body: { fields: ['phones'] } });
    expect(notAllowed.status).toBe(403);
    expect(notAllowed.body.field).toBe('fields');
  });
});
