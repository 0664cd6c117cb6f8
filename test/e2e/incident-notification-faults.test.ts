import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { OutboxNotifier } from '../../shared/platform/notify/index.js';
import type { Notifier, OutboundMessage } from '../../shared/platform/ports/index.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * BR-3 under faults: the notifier refuses some recipients on every try and is down for a
 * stretch of the run. Every affected customer's notice ends sent exactly once or listed as
 * failed (and its message in the DLQ); none is lost, none sent twice, and the counters add
 * up to the affected count.
 */
class FaultyNotifier implements Notifier {
  /** Calls so far, failed ones included. */
  calls = 0;
  readonly delivered: OutboundMessage[] = [];
  /** Recipients refused on every call. */
  readonly refused = new Set<string>();
  /** Calls numbered within this window fail whoever they are for: the provider is down. */
  outage = { from: 0, to: -1 };

  constructor(private readonly inner: Notifier) {}

  async send(message: OutboundMessage): Promise<void> {
    this.calls += 1;
    const call = this.calls;
    if (this.refused.has(message.to) || (call >= this.outage.from && call <= this.outage.to)) throw new UnavailableError('notifier');
    await this.inner.send(message);
    this.delivered.push(message);
  }
}

let api: TestApi;
let dpo: string;
let notifier: FaultyNotifier;
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Person {
  id: string;
  email?: string;
  phone?: string;
}
const people: Person[] = [];
const POPULATION = 40;
/** People 5 to 12: their recipient is refused on every try. */
const POISON = new Set([5, 6, 7, 8, 9, 10, 11, 12]);
/** People without a contact: undeliverable, not failed. */
const NO_CONTACT = new Set([20, 33]);

const outboxFiles = () => readdirSync(join(api.dataDir, 'outbox'), { withFileTypes: true }).filter((e) => e.isFile());
async function allNotices(incidentId: string, state?: string): Promise<Array<{ customerId: string; state: string; attempts: number; failure?: string; channel?: string }>> {
  const items = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ limit: '100', ...(state ? { state } : {}), ...(cursor ? { cursor } : {}) });
    const page = await api.call('GET', `/v1/incidents/${incidentId}/notifications?${query}`, { token: dpo });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-test-'));
  notifier = new FaultyNotifier(new OutboxNotifier(join(dataDir, 'outbox')));
  api = await startTestApi({ dataDir, overrides: { notifier } });
  dpo = await api.token('dpo', 'dpo-faults');
  const agent = await api.token('agent', 'agent-faults');
  for (let i = 0; i < POPULATION; i += 1) {
    const overrides: Record<string, unknown> = NO_CONTACT.has(i) ? { emails: [], phones: [] } : i % 7 === 1 ? { emails: [] } : {};
    const body = newCustomer(overrides);
    const res = await api.call('POST', '/v1/customers', { token: agent, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const person: Person = { id: res.body.id, ...(body.emails[0] ? { email: body.emails[0] } : {}), ...(body.phones[0] ? { phone: body.phones[0] } : {}) };
    people.push(person);
    const to = person.email ?? person.phone;
    if (POISON.has(i) && to) notifier.refused.add(to);
  }
}, 60_000);
afterAll(() => api?.close());

describe('notices under notifier faults', () => {
  it('sends each notice at most once, lists the rest as failed, loses none', async () => {
    const now = Date.now();
    const created = await api.call('POST', '/v1/incidents', {
      token: dpo,
      body: {
        title: 'Mailing list exposed',
        description: 'A mailing list was sent to the wrong partner',
        source: 'partner',
        occurredAt: iso(now - 90 * MINUTE),
        discoveredAt: iso(now - 60 * MINUTE),
        awareAt: iso(now - 50 * MINUTE),
        severity: 'high',
        dataCategories: ['contact'],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const scope = await api.call('POST', `/v1/incidents/${id}/scope`, { token: dpo, body: { by: 'customers', customerIds: people.map((p) => p.id) } });
    expect(scope.status, JSON.stringify(scope.body)).toBe(202);
    await api.queues.incidentWork.drain();
    const assessed = await api.call('POST', `/v1/incidents/${id}/transitions`, {
      token: dpo,
      body: {
        action: 'assess',
        highRisk: true,
        consequences: 'Unwanted mail and calls',
        cause: 'A mistyped partner address',
        advice: 'Ignore messages asking for codes',
        exposure: { sealedFields: [], clearFields: ['emails', 'phones'], keysExposed: false },
      },
    });
    expect(assessed.status, JSON.stringify(assessed.body)).toBe(200);
    expect((await api.call('POST', `/v1/incidents/${id}/transitions`, { token: dpo, body: { action: 'contain', measures: 'The partner deleted the list' } })).status).toBe(200);

    // The provider goes down partway through the first round of sends.
    notifier.outage = { from: notifier.calls + 10, to: notifier.calls + 20 };
    const notifying = await api.call('POST', `/v1/incidents/${id}/transitions`, { token: dpo, body: { action: 'notify' } });
    expect(notifying.status, JSON.stringify(notifying.body)).toBe(200);
    await api.queues.incidentWork.drain();

    const poison = people.filter((_, i) => POISON.has(i));
    const unreachable = people.filter((_, i) => NO_CONTACT.has(i));
    const healthy = people.filter((_, i) => !POISON.has(i) && !NO_CONTACT.has(i));

    // Sent exactly once each, to the healthy ones only; the outbox holds exactly those.
    const recipients = notifier.delivered.map((m) => m.to);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients.sort()).toEqual(healthy.map((p) => (p.email ?? p.phone)!).sort());
    expect(outboxFiles()).toHaveLength(healthy.length);
    // The outage and the refusals were met: more calls than messages.
    expect(notifier.calls).toBeGreaterThan(healthy.length + poison.length * 5);

    const progress = (await api.call('GET', `/v1/incidents/${id}`, { token: dpo })).body.notifications;
    expect(progress).toMatchObject({ affected: POPULATION, state: 'done', sent: healthy.length, failed: poison.length, undeliverable: unreachable.length, queued: 0, pending: 0, skipped: 0 });
    expect(progress.pending + progress.queued + progress.sent + progress.failed + progress.undeliverable + progress.skipped).toBe(POPULATION);

    const notices = await allNotices(id);
    expect(notices.map((n) => n.customerId).sort()).toEqual(people.map((p) => p.id).sort());
    const failed = await allNotices(id, 'failed');
    expect(failed.map((n) => n.customerId).sort()).toEqual(poison.map((p) => p.id).sort());
    for (const notice of failed) expect(notice).toMatchObject({ failure: 'notifier', attempts: 5 });
    const sent = await allNotices(id, 'sent');
    expect(sent.map((n) => n.customerId).sort()).toEqual(healthy.map((p) => p.id).sort());
    // Some went out on a later try, after the outage.
    expect(sent.some((n) => n.attempts > 1)).toBe(true);
    expect(sent.every((n) => n.attempts <= 5)).toBe(true);

    // The poison messages rest in the DLQ, and only they.
    const dead = readFileSync(join(api.dataDir, 'dlq-incident-work.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(dead.map((m) => m.detail.type)).toEqual(poison.map(() => 'IncidentNotificationQueued'));
    expect(dead.map((m) => m.detail.detail.customerId).sort()).toEqual(poison.map((p) => p.id).sort());
    expect(api.queues.incidentWork.deadLetters).toHaveLength(poison.length);

    // The individuals' clocks stop at the end of the run, whatever failed: the DPO follows up the failed list.
    const deadlines = (await api.call('GET', `/v1/incidents/${id}`, { token: dpo })).body.deadlines;
    expect(deadlines.find((d: { obligation: string }) => d.obligation === 'pipl-57-individuals')).toMatchObject({ state: 'met' });
  }, 120_000);
});
