import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { codeFrom, outbox, signIn } from '../support/self-service.js';

/** Customer self-service: a code to a contact on file, a token, and one's own data. */
let api: TestApi;
let person: Record<string, any>;
let customerId: string;

beforeAll(async () => {
  api = await startTestApi();
  person = newCustomer();
  customerId = (await api.call('POST', '/v1/customers', { token: await api.token('agent'), body: person })).body.id;
  await api.call('PUT', '/v1/purposes/marketing', {
    token: await api.token('dpo'),
    body: { name: 'Marketing', description: 'Offers', noticeVersion: 's1', requiresConsent: true, fields: ['name'] },
  });
});
afterAll(() => api?.close());

describe('self-service', () => {
  it('sends a code to an email on file and trades it once for a token to the customer\'s own data', async () => {
    const challenge = await api.call('POST', '/v1/self/verification', { body: { contact: person.emails[0].toUpperCase() } });
    expect(challenge.status).toBe(202);
    const [message] = outbox(api);
    expect(message!.to).toBe(person.emails[0].toUpperCase());
    const session = await api.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code: codeFrom(message!) } });
    expect(session.status).toBe(201);
    const again = await api.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code: codeFrom(message!) } });
    expect(again.status).toBe(401); // one use only

    const data = await api.call('GET', '/v1/self/data', { token: session.body.token });
    expect(data.status).toBe(200);
    expect(data.body.customer).toMatchObject({ id: customerId, name: person.name, phones: person.phones });
    const exported = await api.call('GET', '/v1/self/export', { token: session.body.token });
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    expect(exported.body.accessLog.some((e: { action: string; actor: string }) => e.action === 'customer.read' && e.actor === customerId)).toBe(true);
  });

  it('answers a contact that is not on file exactly like one that is, and sends nothing', async () => {
    const before = outbox(api).length;
    const unknown = await api.call('POST', '/v1/self/verification', { body: { contact: 'nobody@example.com' } });
    expect(unknown.status).toBe(202);
    expect(Object.keys(unknown.body).sort()).toEqual(['challengeId', 'expiresInSeconds']);
    expect(outbox(api).length).toBe(before);
    const guess = await api.call('POST', '/v1/self/session', { body: { challengeId: unknown.body.challengeId, code: '123456' } });
    expect(guess.status).toBe(401);
    expect(guess.body.field).toBe('code');
  });

  it('ends a challenge after five wrong codes, even with the right one after', async () => {
    const challenge = await api.call('POST', '/v1/self/verification', { body: { contact: person.phones[0] } });
    const code = codeFrom(outbox(api).at(-1)!);
    const wrong = code === '000000' ? '111111' : '000000';
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await api.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code: wrong } })).status);
    expect(answers).toEqual([401, 401, 401, 401, 429]);
    const right = await api.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code } });
    expect(right.status).toBe(429);
    expect(right.body.field).toBe('code');
  });

  it('lets the customer consent and make a request that starts identity-verified; refuses staff and bad tokens', async () => {
    const token = await signIn(api, person.emails[0]);
    const consent = await api.call('POST', '/v1/self/consents', {
      token,
      body: { purposeId: 'marketing', action: 'give', channel: 'self-service', noticeVersion: 's1' },
    });
    expect(consent.status).toBe(201);
    const request = await api.call('POST', '/v1/self/requests', { token, body: { type: 'access', jurisdiction: 'PIPL' } });
    expect(request.status).toBe(201);
    expect(request.body).toMatchObject({ customerId, status: 'identity-verified', channel: 'self-service' });
    expect((await api.call('POST', '/v1/self/requests', { token, body: { type: 'access', jurisdiction: 'PIPL', customerId } })).body.field).toBe('customerId');

    expect((await api.call('GET', '/v1/self/data', { token: await api.token('admin') })).status).toBe(401);
    expect((await api.call('GET', '/v1/self/data', { token: `${token}x` })).status).toBe(401);
    expect((await api.call('GET', '/v1/self/data')).status).toBe(401);
    expect((await api.call('POST', '/v1/self/verification', { body: { contact: 'not a contact' } })).body.field).toBe('contact');
  });
});

describe('self-service when codes cannot be sent', () => {
  it('answers a known contact as an unknown one, and reports the failure aside', async () => {
    const undelivered: string[] = [];
    const down = await startTestApi({
      overrides: {
        notifier: { send: async () => Promise.reject(new UnavailableError('notifier')) },
        onUndelivered: (error) => undelivered.push(error.dependency),
      },
    });
    try {
      const known = newCustomer();
      await down.call('POST', '/v1/customers', { token: await down.token('agent'), body: known });
      const answers = [];
      for (const contact of [known.emails[0], 'nobody@example.com']) {
        const answer = await down.call('POST', '/v1/self/verification', { body: { contact } });
        answers.push({ status: answer.status, keys: Object.keys(answer.body).sort(), expires: answer.body.expiresInSeconds });
      }
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]!.status).toBe(202);
      expect(undelivered).toEqual(['notifier']);
    } finally {
      await down.close();
    }
  });
});
