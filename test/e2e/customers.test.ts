import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;
let admin: string;
let agent: string;
let marketer: string;
let analyst: string;
let auditor: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token('admin');
  agent = await api.token('agent');
  marketer = await api.token('marketer');
  analyst = await api.token('analyst');
  auditor = await api.token('auditor');
});
afterAll(() => api?.close());

const create = (body: Record<string, unknown>, token = agent, headers: Record<string, string> = {}) =>
  api.call('POST', '/v1/customers', { token, body, headers });

describe('POST /v1/customers', () => {
  it('creates a record with a customer number, masked for the agent who created it', async () => {
    const body = newCustomer({ phones: ['+86 138 0013 5678'], tier: 'vip' });
    const res = await create(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'individual', name: body.name, region: 'CN-SH', tier: 'vip', version: 1 });
    expect(res.body.number).toMatch(/^KH\d{8}$/);
    expect(res.body.phones).toEqual(['+86 138****5678']);
    expect(res.body.emails[0]).toMatch(/^p\*\*\*@example\.com$/);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(res.headers.get('location')).toBe(`/v1/customers/${res.body.id}`);
    // VIP records are reviewed quarterly.
    const due = new Date(res.body.review.dueAt).getTime() - new Date(res.body.createdAt).getTime();
    expect(Math.round(due / 86_400_000)).toBe(90);
  });

  it('gives every record its own number', async () => {
    const [a, b] = await Promise.all([create(newCustomer()), create(newCustomer())]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.number).not.toBe(b.body.number);
  });

  it('refuses a record without its collection basis (CR-1)', async () => {
    const { collection: _omitted, ...body } = newCustomer();
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:kehu:problem:validation', field: 'collection' });
  });

  it.each([
    ['an invalid email', { emails: ['not-an-email'] }, 'emails.0'],
    ['an invalid phone', { phones: ['12345'] }, 'phones.0'],
    ['an unknown region', { region: 'QQ' }, 'region'],
    ['a malformed region', { region: 'shanghai' }, 'region'],
    ['an unknown field', { favouriteColour: 'red' }, 'favouriteColour'],
    ['an unknown nested field', { collection: { ...newCustomer().collection, extra: 1 } }, 'collection.extra'],
    ['an oversized name', { name: 'x'.repeat(201) }, 'name'],
    ['too many emails', { emails: ['a@x.co', 'b@x.co', 'c@x.co', 'd@x.co', 'e@x.co', 'f@x.co'] }, 'emails'],
    ['an unknown lawful basis', { collection: { ...newCustomer().collection, lawfulBasis: 'because' } }, 'collection.lawfulBasis'],
    ['a collection without purposes', { collection: { ...newCustomer().collection, purposes: [] } }, 'collection.purposes'],
    ['the same email twice', { emails: ['twice@example.com', 'TWICE@example.com'] }, 'emails.1'],
  ])('answers 400 naming the field for %s', async (_case, override, field) => {
    const res = await create(newCustomer(override));
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('answers 400 for malformed JSON and 415 for another content type', async () => {
    const malformed = await api.call('POST', '/v1/customers', { token: agent, body: '{"type":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ type: 'urn:kehu:problem:malformed-json', field: 'body' });
    const text = await api.call('POST', '/v1/customers', { token: agent, body: 'type=individual', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect(text.body.field).toBe('Content-Type');
  });

  it('answers 400 for a body over 64 KiB', async () => {
    const res = await create({ ...newCustomer(), needs: 'x'.repeat(70_000) });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('body');
  });

  it('answers 409 naming the field for a duplicate email or phone, whatever their format', async () => {
    const first = newCustomer();
    expect((await create(first)).status).toBe(201);
    const sameEmail = await create(newCustomer({ emails: [(first.emails as string[])[0]!.toUpperCase()] }));
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body).toMatchObject({ type: 'urn:kehu:problem:conflict', field: 'emails.0' });
    const phone = (first.phones as string[])[0]!;
    const samePhone = await create(newCustomer({ phones: [`${phone.slice(0, 3)} ${phone.slice(3, 6)}-${phone.slice(6)}`] }));
    expect(samePhone.status).toBe(409);
    expect(samePhone.body.field).toBe('phones.0');
  });

  it('replays a create with the same Idempotency-Key and refuses the key with another body', async () => {
    const body = newCustomer();
    const first = await create(body, agent, { 'idempotency-key': 'create-1' });
    const again = await create(body, agent, { 'idempotency-key': 'create-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await create(newCustomer(), agent, { 'idempotency-key': 'create-1' });
    expect(other.status).toBe(422);
    expect(other.body.field).toBe('Idempotency-Key');
    // Keys are per caller: another user's same key is a new request.
    const byAdmin = await create(newCustomer(), admin, { 'idempotency-key': 'create-1' });
    expect(byAdmin.status).toBe(201);
  });
});

describe('GET /v1/customers/{id}', () => {
  it('masks by role and purpose', async () => {
    const body = newCustomer({ personal: { occupation: 'engineer' }, needs: 'delivery on weekends' });
    const { body: created } = await create(body);
    const read = (token: string, purpose?: string) =>
      api.call('GET', `/v1/customers/${created.id}${purpose ? `?purpose=${purpose}` : ''}`, { token });

    const asAdmin = await read(admin);
    expect(asAdmin.body).toMatchObject({ name: body.name, emails: body.emails, phones: body.phones, personal: { occupation: 'engineer' } });
    const asAgent = await read(agent);
    expect(asAgent.body.phones[0]).toMatch(/^\+86 138\*{4}\d{4}$/);
    expect(asAgent.body.personal).toBeUndefined();
    expect(asAgent.body.needs).toBe('delivery on weekends');
    const agentContact = await read(agent, 'contact');
    expect(agentContact.body.phones).toEqual(body.phones);
    const asMarketer = await read(marketer);
    expect(asMarketer.body.name).toBe(body.name);
    expect(asMarketer.body.emails).toBeUndefined();
    expect(asMarketer.body.phones).toBeUndefined();
    const asAnalyst = await read(analyst);
    expect(asAnalyst.body).toMatchObject({ id: created.id, tier: 'normal' });
    expect(asAnalyst.body.name).toBeUndefined();
    expect(asAnalyst.body.emails).toBeUndefined();

    const refused = await read(marketer, 'contact');
    expect(refused.status).toBe(403);
    expect(refused.body.field).toBe('purpose');
    const inherited = await read(analyst, 'constructor');
    expect(inherited.status).toBe(403);
    expect(inherited.body.name).toBeUndefined();
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const unknown = await api.call('GET', '/v1/customers/00000000-0000-4000-8000-000000000000', { token: agent });
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('id');
    const malformed = await api.call('GET', '/v1/customers/not-a-uuid', { token: agent });
    expect(malformed.status).toBe(400);
    expect(malformed.body.field).toBe('id');
  });
});

describe('GET /v1/customers', () => {
  it('finds a customer by email and by phone through the blind index', async () => {
    const body = newCustomer();
    const { body: created } = await create(body);
    const email = encodeURIComponent((body.emails as string[])[0]!.toUpperCase());
    const byEmail = await api.call('GET', `/v1/customers?email=${email}`, { token: agent });
    expect(byEmail.status).toBe(200);
    expect(byEmail.body.items.map((c: { id: string }) => c.id)).toEqual([created.id]);
    const byPhone = await api.call('GET', `/v1/customers?phone=${encodeURIComponent((body.phones as string[])[0]!)}`, { token: admin });
    expect(byPhone.body.items.map((c: { id: string }) => c.id)).toEqual([created.id]);
    const none = await api.call('GET', '/v1/customers?email=nobody%40example.com', { token: agent });
    expect(none.body.items).toEqual([]);
  });

  it('does not let roles that never see contacts look customers up by contact', async () => {
    const res = await api.call('GET', '/v1/customers?email=someone%40example.com', { token: marketer });
    expect(res.status).toBe(403);
    expect(res.body.field).toBe('email');
  });

  it('filters by type, region, tier, tag and stage and pages with a cursor', async () => {
    const tag = `t${Date.now().toString(36)}`;
    const made = [];
    for (let i = 0; i < 5; i++) {
      const res = await create(
        newCustomer({ type: i % 2 ? 'enterprise' : 'individual', region: i < 3 ? 'DE-BE' : 'CN-BJ', tier: 'gold', tags: [tag], stage: 'active' }),
      );
      made.push(res.body);
    }
    const list = async (query: string) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await api.call('GET', `/v1/customers?${query}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: analyst });
        expect(res.status).toBe(200);
        ids.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.cursor;
      } while (cursor);
      return ids.sort();
    };
    expect(await list(`tag=${tag}`)).toEqual(made.map((c) => c.id).sort());
    expect(await list(`tag=${tag}&type=enterprise`)).toEqual(made.filter((c) => c.type === 'enterprise').map((c) => c.id).sort());
    expect(await list(`tag=${tag}&region=DE-BE`)).toEqual(made.slice(0, 3).map((c) => c.id).sort());
    expect(await list(`tier=gold&stage=active&region=CN-BJ`)).toEqual(made.slice(3).map((c) => c.id).sort());
  });

  it('lists records due for review', async () => {
    const { body: created } = await create(newCustomer({ tier: 'vip' }));
    const due = (date: string) => api.call('GET', `/v1/customers?reviewDue=${date}&limit=100`, { token: agent });
    const beforeDue = await due(new Date(Date.now() + 80 * 86_400_000).toISOString().slice(0, 10));
    expect(beforeDue.body.items.map((c: { id: string }) => c.id)).not.toContain(created.id);
    const afterDue = await due(new Date(Date.now() + 91 * 86_400_000).toISOString().slice(0, 10));
    expect(afterDue.body.items.map((c: { id: string }) => c.id)).toContain(created.id);
  });

  it('answers 400 for a bad filter or cursor', async () => {
    expect((await api.call('GET', '/v1/customers?limit=1000', { token: agent })).body.field).toBe('limit');
    expect((await api.call('GET', '/v1/customers?stage=asleep', { token: agent })).body.field).toBe('stage');
    expect((await api.call('GET', '/v1/customers?color=red', { token: agent })).body.field).toBe('color');
    const cursor = await api.call('GET', '/v1/customers?cursor=%%%', { token: agent });
    expect(cursor.status).toBe(400);
    expect(cursor.body.field).toBe('cursor');
  });
});

describe('PATCH /v1/customers/{id}', () => {
  it('updates with If-Match, traces the change and answers 412 on a stale version', async () => {
    const { body: created } = await create(newCustomer());
    const patch = (version: string | undefined, body: unknown) =>
      api.call('PATCH', `/v1/customers/${created.id}`, { token: agent, body, headers: version ? { 'if-match': version } : {} });

    const updated = await patch('"1"', { tier: 'vip', stage: 'active', reason: 'customer upgraded' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ tier: 'vip', stage: 'active', version: 2 });
    expect(updated.headers.get('etag')).toBe('"2"');

    const stale = await patch('"1"', { stage: 'loyal', reason: 'late' });
    expect(stale.status).toBe(412);
    expect(stale.body.field).toBe('If-Match');
    expect((await patch(undefined, { stage: 'loyal', reason: 'x' })).status).toBe(428);
    expect((await patch('"2"', { tier: 'vip' })).body.field).toBe('reason');
    expect((await patch('"2"', { reason: 'nothing' })).status).toBe(400);
    expect((await patch('"2"', { id: 'x', reason: 'r' })).body.field).toBe('id');

    const history = await api.call('GET', `/v1/customers/${created.id}/history`, { token: admin });
    expect(history.status).toBe(200);
    expect(history.body.items[0]).toMatchObject({ version: 2, action: 'updated', actor: 'user-agent', role: 'agent', reason: 'customer upgraded' });
    expect(history.body.items[0].fields.sort()).toEqual(['stage', 'tier']);
    expect(history.body.items[1]).toMatchObject({ version: 1, action: 'created', reason: 'collected' });
    // The stale attempt left no trace and changed nothing.
    expect(history.body.items).toHaveLength(2);
  });

  it('moves contacts: the old email becomes free, a taken one answers 409', async () => {
    const a = newCustomer();
    const b = newCustomer();
    const { body: first } = await create(a);
    await create(b);
    const taken = await api.call('PATCH', `/v1/customers/${first.id}`, {
      token: admin,
      body: { emails: b.emails, reason: 'typo' },
      headers: { 'if-match': '"1"' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.field).toBe('emails.0');
    const moved = await api.call('PATCH', `/v1/customers/${first.id}`, {
      token: admin,
      body: { emails: ['new.address@example.com'], reason: 'customer asked' },
      headers: { 'if-match': '"1"' },
    });
    expect(moved.status).toBe(200);
    expect(moved.body.emails).toEqual(['new.address@example.com']);
    const found = await api.call('GET', '/v1/customers?email=new.address%40example.com', { token: admin });
    expect(found.body.items[0].id).toBe(first.id);
    const reused = await create(newCustomer({ emails: a.emails }));
    expect(reused.status).toBe(201);
  });

  it('answers 404 for an unknown customer', async () => {
    const res = await api.call('PATCH', '/v1/customers/00000000-0000-4000-8000-000000000000', {
      token: admin,
      body: { stage: 'active', reason: 'x' },
      headers: { 'if-match': '"1"' },
    });
    expect(res.status).toBe(404);
  });
});

describe('POST /v1/customers/{id}/verifications', () => {
  it('marks the record verified and moves its review date', async () => {
    const { body: created } = await create(newCustomer());
    const res = await api.call('POST', `/v1/customers/${created.id}/verifications`, { token: agent, body: { method: 'phone-call', fields: ['phones'] } });
    expect(res.status).toBe(201);
    expect(res.body.version).toBe(2);
    const read = await api.call('GET', `/v1/customers/${created.id}`, { token: agent });
    expect(read.body.review.lastVerifiedAt).toBe(res.body.verifiedAt);
    expect(read.body.review.dueAt).toBe(res.body.reviewDueAt);
    const history = await api.call('GET', `/v1/customers/${created.id}/history`, { token: auditor });
    expect(history.body.items[0]).toMatchObject({ action: 'verified', fields: ['phones'], reason: 'phone-call' });
    const bad = await api.call('POST', `/v1/customers/${created.id}/verifications`, { token: agent, body: { method: 'telepathy' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('method');
  });
});

describe('public routes', () => {
  it('serves health and an OpenAPI 3.1 document listing every route without a token', async () => {
    const health = await api.call('GET', '/v1/health');
    expect(health.body).toMatchObject({ status: 'ok' });
    const doc = await api.call('GET', '/v1/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const { routeTable } = await import('../../functions/routes.js');
    for (const route of routeTable) {
      expect(doc.body.paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path}`).toBeDefined();
    }
    const create = doc.body.paths['/v1/customers'].post;
    expect(create.requestBody.content['application/json'].schema.required).toContain('collection');
    expect(create.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const res = await api.call('GET', '/v1/nothing-here', { token: admin });
    expect(res.status).toBe(404);
    expect(res.body.type).toBe('urn:kehu:problem:not-found');
  });
});

describe('CORS', () => {
  it('allows configured origins only, on answers and on preflight', async () => {
    const allowed = await api.call('GET', '/v1/health', { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const other = await api.call('GET', '/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await api.call('OPTIONS', '/v1/customers', {
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');
    // The survey form is read with the answer link's token in a header of its own.
    expect(preflight.headers.get('access-control-allow-headers')).toContain('survey-token');
  });
});
