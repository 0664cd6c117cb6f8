import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/routes.js';
import { roles, type Role } from '../../shared/platform/access/index.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * Every route x every role, plus no token, generated from the route table: a role the
 * route does not list gets 403, no token gets 401, and a listed role is never refused.
 */
let api: TestApi;
let customerId: string;
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  api = await startTestApi();
  for (const role of roles) tokens[role] = await api.token(role);
  const created = await api.call('POST', '/v1/customers', { token: tokens.admin, body: newCustomer() });
  customerId = created.body.id;
});
afterAll(() => api?.close());

const pathOf = (path: string) => path.replace('{id}', customerId);
const cases = routeTable.flatMap((route) => [
  ...roles.map((role) => ({ route, role: role as Role | 'none' })),
  { route, role: 'none' as const },
]);

describe('authorization matrix', () => {
  it('covers every route of the table', () => {
    expect(new Set(cases.map((c) => `${c.route.method} ${c.route.path}`)).size).toBe(routeTable.length);
    expect(cases.length).toBe(routeTable.length * (roles.length + 1));
  });

  it.each(cases.map((c) => [`${c.route.method} ${c.route.path}`, c.role, c] as const))('%s as %s', async (_name, _role, { route, role }) => {
    const res = await api.call(route.method, pathOf(route.path), {
      ...(role === 'none' ? {} : { token: tokens[role] }),
      // An empty object: enough to get past the body parser to authorization or validation.
      ...(route.body ? { body: {} } : {}),
      headers: route.ifMatch ? { 'if-match': '"1"' } : {},
    });
    if (route.roles === 'public') {
      // Public routes answer without a token (an empty body is a 400, never a 401/403).
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    } else if (route.roles === 'customer') {
      // A staff token is not a customer token.
      expect(res.status).toBe(401);
    } else if (role === 'none') {
      expect(res.status).toBe(401);
      expect(res.body.type).toBe('urn:kehu:problem:unauthenticated');
    } else if (!route.roles.includes(role)) {
      expect(res.status).toBe(403);
      expect(res.body.type).toBe('urn:kehu:problem:forbidden');
    } else {
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    }
  });

  it('refuses a token signed with another key, an expired one and a malformed header', async () => {
    const { signToken } = await import('../../local/tokens.js');
    const foreign = await signToken(new Uint8Array(32).fill(7), { sub: 'mallory', roles: ['admin'] });
    const expired = await signToken(api.tokenSecret, { sub: 'old', roles: ['admin'], ttlSeconds: -10 });
    for (const authorization of [`Bearer ${foreign}`, `Bearer ${expired}`, 'Basic YWRtaW46YWRtaW4=', 'Bearer']) {
      const res = await api.call('GET', '/v1/customers', { headers: { authorization } });
      expect(res.status, authorization.slice(0, 12)).toBe(401);
    }
  });

  it('refuses a valid token whose roles are unknown', async () => {
    const { signToken } = await import('../../local/tokens.js');
    const token = await signToken(api.tokenSecret, { sub: 'x', roles: ['superuser' as Role] });
    const res = await api.call('GET', '/v1/customers', { token });
    expect(res.status).toBe(403);
  });
});

describe('token expiry', () => {
  it('refuses a token once it expired, even after it was accepted', async () => {
    const { signToken } = await import('../../local/tokens.js');
    const token = await signToken(api.tokenSecret, { sub: 'brief', roles: ['admin'], ttlSeconds: 2 });
    expect((await api.call('GET', '/v1/customers?limit=1', { token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await api.call('GET', '/v1/customers?limit=1', { token })).status).toBe(401);
  });
});
