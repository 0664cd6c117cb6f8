import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/routes.js';
import type { RouteSpec } from '../../functions/http/route.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { signIn } from '../support/self-service.js';

/**
 * Pagination cursors are opaque and authenticated: on every operation that takes one (found
 * in the route table, so a new list is covered as soon as it exists), a made-up cursor, a
 * random one, and a real cursor of another list or another query are a 400 naming `cursor`,
 * never a 500 and never a page of something else.
 */
let api: TestApi;
let customerId: string;
/** The email of `customerId`, to sign in as them. */
let customerEmail: string;
/** An incident, for the incident's lists (they answer 404 for an unknown incident before reading a cursor). */
let incidentId: string;
/** A cursor the API really issued, for the customer list. */
let customersCursor: string;
/** A cursor the API really issued, for the audit list. */
let auditCursor: string;

const shapeOf = (schema: unknown): Record<string, unknown> | undefined =>
  (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;

const cursorRoutes = routeTable.filter((route) => 'cursor' in (shapeOf(route.query) ?? {}) || 'cursor' in (shapeOf(route.body) ?? {}));

/** Values for the parameters an operation needs besides its cursor, in its query or body. */
const sampleQuery = (): Record<string, string> => ({ purposeId: 'marketing', targetId: customerId, customerId });
const sampleBody = (): Record<string, string> => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });
const present = (values: Record<string, string>, schema: unknown) => Object.entries(values).filter(([name]) => name in (shapeOf(schema) ?? {}));

async function callWithCursor(route: RouteSpec, cursor: string) {
  // A customer's own routes take the customer's token (from a one-time code), staff routes a staff one.
  const token = route.roles === 'customer' ? await signIn(api, customerEmail) : await api.token(Array.isArray(route.roles) ? route.roles[0]! : 'admin');
  const path = route.path.replace('{id}', route.path.startsWith('/v1/incidents/') ? incidentId : customerId);
  expect(path, `${route.path}: fill its path parameters in this test`).not.toContain('{');
  if ('cursor' in (shapeOf(route.query) ?? {})) {
    const query = new URLSearchParams(present(sampleQuery(), route.query));
    query.set('cursor', cursor);
    return api.call(route.method, `${path}?${query}`, { token });
  }
  return api.call(route.method, path, { token, body: { ...Object.fromEntries(present(sampleBody(), route.body)), cursor } });
}

beforeAll(async () => {
  api = await startTestApi();
  const agent = await api.token('agent');
  const dpo = await api.token('dpo');
  await api.call('PUT', '/v1/purposes/marketing', {
    token: dpo,
    body: { name: 'Marketing', description: 'Offers', noticeVersion: 'c1', requiresConsent: true, fields: ['name', 'tier'] },
  });
  for (let i = 0; i < 3; i++) {
    const body = newCustomer();
    const res = await api.call('POST', '/v1/customers', { token: agent, body });
    expect(res.status).toBe(201);
    customerId = res.body.id;
    customerEmail = body.emails[0]!;
  }
  await api.call('GET', `/v1/customers/${customerId}`, { token: agent });
  const customers = await api.call('GET', '/v1/customers?limit=1', { token: agent });
  customersCursor = customers.body.cursor;
  const at = new Date(Date.now() - 60_000).toISOString();
  const incident = await api.call('POST', '/v1/incidents', {
    token: dpo,
    body: { title: 'Cursor check', description: 'An incident whose lists take cursors', source: 'staff', occurredAt: at, discoveredAt: at, awareAt: at, dataCategories: ['contact'], systems: ['crm'], jurisdictions: ['CN'], severity: 'low' },
  });
  expect(incident.status).toBe(201);
  incidentId = incident.body.id;
  const audit = await api.call('GET', `/v1/audit?targetId=${customerId}&limit=1`, { token: await api.token('auditor') });
  auditCursor = audit.body.cursor;
  expect(customersCursor).toEqual(expect.any(String));
  expect(auditCursor).toEqual(expect.any(String));
});
afterAll(async () => {
  await api?.close();
});

describe('pagination cursors', () => {
  it('finds every operation that takes a cursor', () => {
    // The nine lists and the marketing export at the time of writing; more only add cases.
    expect(cursorRoutes.length).toBeGreaterThanOrEqual(10);
    expect(cursorRoutes.map((r) => r.operationId)).toEqual(expect.arrayContaining(['listCustomers', 'createMarketingExport', 'listAuditEntries']));
  });

  for (const route of cursorRoutes) {
    it(`${route.method} ${route.path} refuses forged and foreign cursors as 400 naming cursor`, async () => {
      const foreign = route.operationId === 'listCustomers' ? auditCursor : customersCursor;
      const forged = [
        'e30', // {}
        Buffer.from(JSON.stringify({ pk: 'CUSTOMER#x', sk: 'PROFILE' })).toString('base64url'),
        randomBytes(48).toString('base64'),
        randomBytes(48).toString('base64url'),
        `${customersCursor.split('.')[0]}.${randomBytes(16).toString('base64url')}`,
        foreign,
      ];
      for (const cursor of forged) {
        const res = await callWithCursor(route, cursor);
        expect(res.status, `${cursor} -> ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(res.body.field).toBe('cursor');
      }
    });
  }

  it('refuses the cursor of the same list under other filters, and accepts its own', async () => {
    const agent = await api.token('agent');
    const first = await api.call('GET', '/v1/customers?tier=normal&limit=1', { token: agent });
    expect(first.body.cursor).toEqual(expect.any(String));
    const other = await api.call('GET', `/v1/customers?tier=vip&limit=1&cursor=${first.body.cursor}`, { token: agent });
    expect(other.status).toBe(400);
    expect(other.body.field).toBe('cursor');
    const next = await api.call('GET', `/v1/customers?tier=normal&limit=1&cursor=${first.body.cursor}`, { token: agent });
    expect(next.status).toBe(200);
    expect(next.body.items[0].id).not.toBe(first.body.items[0].id);
    // The page size is not part of what a cursor belongs to.
    const wider = await api.call('GET', `/v1/customers?tier=normal&limit=5&cursor=${first.body.cursor}`, { token: agent });
    expect(wider.status).toBe(200);
  });

  it('issues cursors that carry their MAC', async () => {
    expect(customersCursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });
});
