import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles } from '../../shared/platform/access/index.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * SEC-2: after every route has handled personal data, including requests that fail
 * validation or conflict, neither the raw tables nor the captured logs contain any test
 * customer's name, email or phone in plaintext.
 */
let api: TestApi;
const logs: string[] = [];
const restore: Array<() => void> = [];

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => (stream.write = write));
  }
  api = await startTestApi();
});
afterAll(async () => {
  restore.forEach((r) => r());
  await api?.close();
});

describe('no plaintext personal data at rest or in logs', () => {
  it('finds none of the test customers in the raw tables or the logs', async () => {
    const admin = await api.token('admin');
    const agent = await api.token('agent');
    const people = Array.from({ length: 5 }, (_, i) =>
      newCustomer({
        name: `Plaintextprobe${i} 王秀英${i}`,
        addresses: [`Probe Street ${i}00, Shanghai`],
        personal: { occupation: `Probeoccupation${i}` },
        needs: `Probeneeds${i}`,
      }),
    );
    const dpo = await api.token('dpo');
    await api.call('PUT', '/v1/purposes/marketing', {
      token: dpo,
      body: { name: 'Marketing', description: 'Offers', noticeVersion: 'p1', requiresConsent: true, fields: ['name', 'emails', 'phones'] },
    });
    await api.call('POST', '/v1/partners', {
      token: dpo,
      body: { id: 'probe-partner', name: 'Probe Partner', agreementRef: 'DSA-1', purposes: ['marketing'], fields: ['name', 'phones'] },
    });
    const ids: string[] = [];
    for (const person of people) {
      const res = await api.call('POST', '/v1/customers', { token: agent, body: person, headers: { 'idempotency-key': `k-${ids.length}` } });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    const [first] = people;
    // Every route, with personal data in queries, bodies and failing requests.
    for (const [i, id] of ids.entries()) {
      const person = people[i]!;
      for (const role of roles) await api.call('GET', `/v1/customers/${id}`, { token: await api.token(role) });
      await api.call('GET', `/v1/customers?email=${encodeURIComponent((person.emails as string[])[0]!)}`, { token: agent });
      await api.call('GET', `/v1/customers?phone=${encodeURIComponent((person.phones as string[])[0]!)}`, { token: admin });
      await api.call('PATCH', `/v1/customers/${id}`, {
        token: admin,
        body: { name: `${person.name} Changed`, reason: `asked by Probereason${i} via probereason${i}@example.com` },
        headers: { 'if-match': '"1"' },
      });
      await api.call('POST', `/v1/customers/${id}/verifications`, { token: agent, body: { method: 'document' } });
      await api.call('GET', `/v1/customers/${id}/history`, { token: admin });
      await api.call('POST', `/v1/customers/${id}/interactions`, {
        token: agent,
        body: { channel: 'phone', occurredAt: '2026-11-20T09:30:00.000Z', place: `Probeplace${i}`, participants: [person.name], summary: `Probesummary${i}` },
      });
      await api.call('GET', `/v1/customers/${id}/interactions`, { token: agent });
      await api.call('GET', `/v1/audit?targetId=${id}`, { token: await api.token('auditor') });
      await api.call('POST', `/v1/customers/${id}/consents`, {
        token: agent,
        body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: 'p1', evidence: `Probeevidence${i}` },
      });
      await api.call('GET', `/v1/customers/${id}/consents`, { token: agent });
      const request = await api.call('POST', '/v1/requests', {
        token: agent,
        body: { customerId: id, type: 'rectify', jurisdiction: 'GDPR', channel: 'email', details: `Probedetails${i}` },
      });
      expect(request.status).toBe(201);
      const verified = await api.call('POST', `/v1/requests/${request.body.id}/transitions`, {
        token: agent,
        body: { action: 'verify-identity', reason: `Probeverify${i} confirmed by phone` },
      });
      expect(verified.status).toBe(200);
      const rejected = await api.call('POST', `/v1/requests/${request.body.id}/transitions`, {
        token: dpo,
        body: { action: 'reject', reason: `Probereject${i} wrote from probereject${i}@example.com` },
      });
      expect(rejected.body).toMatchObject({ status: 'rejected', rejectionReason: `Probereject${i} wrote from probereject${i}@example.com` });
      await api.call('GET', `/v1/requests?customerId=${id}`, { token: dpo });
    }
    await api.call('POST', '/v1/exports/marketing', { token: await api.token('marketer'), body: {} });
    await api.call('POST', '/v1/exports/analysis', { token: await api.token('analyst'), body: {} });
    await api.call('POST', '/v1/shares', {
      token: dpo,
      body: { partnerId: 'probe-partner', purposeId: 'marketing', fields: ['name', 'phones'], customerIds: ids, legalBasis: 'consent' },
    });
    await api.call('POST', '/v1/customers', { token: agent, body: first }); // duplicate: 409
    await api.call('POST', '/v1/customers', { token: agent, body: { ...first, emails: [`${first!.name}@@bad`] } }); // 400
    await api.call('POST', '/v1/customers', { token: agent, body: `{"name": "${first!.name}", broken` });
    await api.call('POST', '/v1/customers', { token: agent, body: { ...first, unknownField: first!.name } });
    await api.call('GET', '/v1/customers', { token: agent });

    const probes = people.flatMap((p) => [
      p.name as string,
      ...(p.emails as string[]),
      ...(p.phones as string[]),
      (p.phones as string[])[0]!.slice(3), // national number without the country code
      ...(p.addresses as string[]),
      (p.personal as { occupation: string }).occupation,
      p.needs as string,
    ]);
    // Free text staff write about a customer (change, verification and rejection reasons) is sealed too.
    probes.push(
      ...people.flatMap((_p, i) => [
        `Probeplace${i}`,
        `Probesummary${i}`,
        `Probeevidence${i}`,
        `Probereason${i}`,
        `probereason${i}@example.com`,
        `Probedetails${i}`,
        `Probeverify${i}`,
        `Probereject${i}`,
        `probereject${i}@example.com`,
      ]),
    );
    // The events written locally carry ids only.
    const { readFileSync } = await import('node:fs');
    await api.call('POST', `/v1/customers/${ids[0]}/consents`, { token: agent, body: { purposeId: 'marketing', action: 'withdraw', channel: 'phone' } });
    const eventLog = readFileSync(`${api.dataDir}/events.jsonl`, 'utf8');
    expect(eventLog).toContain('ConsentWithdrawn');
    const raw = JSON.stringify(await scanAll(api.client, api.prefix));
    const logText = logs.join('');
    // The capture works: the access log lines of these requests are in it.
    expect(logText).toContain('"route":"POST /v1/customers"');
    expect(raw).toContain('"S":"v1.'); // sealed values are there
    for (const probe of probes) {
      expect(raw.includes(probe), `table holds ${probe}`).toBe(false);
      expect(raw.toLowerCase().includes(probe.toLowerCase()), `table holds ${probe}`).toBe(false);
      expect(logText.includes(probe), `logs hold ${probe}`).toBe(false);
      expect(eventLog.includes(probe), `events hold ${probe}`).toBe(false);
    }
    expect(raw).not.toContain('王秀英');
    expect(logText).not.toContain('王秀英');
  });
});
