import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * BR-1 to BR-4 as a drill, end to end: the whole path run on real records with every notice
 * going to the drill sink (recipients masked), never to a customer; the drill's timings
 * reported; and the requests an incident refuses, each refused by name and changing nothing.
 */
let api: TestApi;
let dpo: string;
let admin: string;
let agent: string;
const MINUTE = 60_000;
const DRILL_READER = 'drill-reader';

interface Person {
  id: string;
  name: string;
  contacts: string[];
}
const people: Person[] = [];

/** Files directly in a folder, parsed, with their raw text. */
function filesIn(folder: string): Array<{ text: string; message: { channel: string; to: string; subject: string; body: string } }> {
  let names: string[];
  try {
    names = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  return names.map((name) => {
    const text = readFileSync(join(folder, name), 'utf8');
    return { text, message: JSON.parse(text) };
  });
}
const customerOutbox = () => filesIn(join(api.dataDir, 'outbox'));
const drillSink = () => filesIn(join(api.dataDir, 'outbox', 'drills'));

const iso = (ms: number) => new Date(ms).toISOString();
const drillBody = (overrides: Record<string, unknown> = {}) => {
  const now = Date.now();
  return {
    title: 'Drillprobe title: quarterly breach drill',
    description: 'Drillprobe description: a lost laptop with a customer export',
    source: 'drill',
    drill: true,
    occurredAt: iso(now - 60 * MINUTE),
    discoveredAt: iso(now - 30 * MINUTE),
    awareAt: iso(now - 20 * MINUTE),
    severity: 'medium',
    dataCategories: ['identity', 'contact'],
    systems: ['crm-web'],
    ...overrides,
  };
};

/** The incident as shown, without what moves with the clock alone. */
const steady = (incident: Record<string, any>) => ({
  ...incident,
  deadlines: incident.deadlines.map(({ remainingMs: _r, elapsed: _e, ...rest }: Record<string, unknown>) => rest),
});
const get = async (id: string) => {
  const res = await api.call('GET', `/v1/incidents/${id}`, { token: dpo });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const transition = (id: string, body: Record<string, unknown>, token = dpo) => api.call('POST', `/v1/incidents/${id}/transitions`, { token, body });

let incidentId: string;
let readWindow: { from: string; to: string };

beforeAll(async () => {
  api = await startTestApi();
  dpo = await api.token('dpo', 'dpo-drill');
  admin = await api.token('admin', 'admin-drill');
  agent = await api.token('agent', 'agent-drill');
  const reader = await api.token('agent', DRILL_READER);
  for (let i = 0; i < 12; i += 1) {
    const overrides: Record<string, unknown> = { name: `Drillperson${i} 张${i}` };
    if (i === 2) overrides.emails = [];
    if (i === 4) Object.assign(overrides, { emails: [], phones: [] });
    if (i >= 10) overrides.region = 'FR';
    const body = newCustomer(overrides);
    const res = await api.call('POST', '/v1/customers', { token: agent, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    people.push({ id: res.body.id, name: body.name, contacts: [...body.emails, ...body.phones] });
  }
  // The drill's second source: what one account read (5 to 10, three of them also on the list).
  const from = iso(Date.now() - MINUTE);
  for (const person of people.slice(5, 11)) expect((await api.call('GET', `/v1/customers/${person.id}`, { token: reader })).status).toBe(200);
  readWindow = { from, to: iso(Date.now() + MINUTE) };
}, 60_000);
afterAll(() => api?.close());

describe('an incident drill', () => {
  it('refuses bad incidents by name: the wrong role, times out of order, unknown fields', async () => {
    expect((await api.call('POST', '/v1/incidents', { token: agent, body: drillBody() })).status).toBe(403);
    const future = await api.call('POST', '/v1/incidents', { token: dpo, body: drillBody({ awareAt: iso(Date.now() + 10 * MINUTE) }) });
    expect(future.status).toBe(400);
    expect(future.body.field).toBe('awareAt');
    const beforeDiscovery = await api.call('POST', '/v1/incidents', { token: dpo, body: drillBody({ awareAt: iso(Date.now() - 45 * MINUTE) }) });
    expect(beforeDiscovery.status).toBe(400);
    expect(beforeDiscovery.body.field).toBe('awareAt');
    const unknown = await api.call('POST', '/v1/incidents', { token: dpo, body: { ...drillBody(), leakedBy: 'someone' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('leakedBy');
    const notDrill = await api.call('POST', '/v1/incidents', { token: dpo, body: drillBody({ source: 'staff' }) });
    expect(notDrill.status).toBe(400);
    expect(notDrill.body.field).toBe('drill');
    const listed = await api.call('GET', '/v1/incidents', { token: dpo });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([]);
  });

  it('is opened as a drill and scoped by a list and by an account, each customer once', async () => {
    const created = await api.call('POST', '/v1/incidents', { token: dpo, body: drillBody() });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ source: 'drill', drill: true, draft: false, status: 'open', title: drillBody().title, createdBy: 'dpo-drill' });
    incidentId = created.body.id;

    const listed = people.slice(0, 8).map((p) => p.id);
    const byList = await api.call('POST', `/v1/incidents/${incidentId}/scope`, { token: dpo, body: { by: 'customers', customerIds: listed } });
    expect([201, 202], JSON.stringify(byList.body)).toContain(byList.status);
    const byActor = await api.call('POST', `/v1/incidents/${incidentId}/scope`, { token: dpo, body: { by: 'actor', actor: DRILL_READER, ...readWindow } });
    expect([201, 202], JSON.stringify(byActor.body)).toContain(byActor.status);
    await api.queues.incidentWork.drain();
    expect(api.queues.incidentWork.deadLetters).toEqual([]);

    const scoped = await get(incidentId);
    expect(scoped.scope.runs).toHaveLength(2);
    expect(scoped.scope.runs.every((r: { state: string }) => r.state === 'done')).toBe(true);
    expect(scoped.scope.counts).toMatchObject({ affected: 11, byJurisdiction: { CN: 10, EU: 1 } });
    expect(scoped.scope.runs.map((r: { added: number }) => r.added).reduce((a: number, b: number) => a + b, 0)).toBe(11);
    expect(scoped.timings.scopeMs).toEqual(expect.any(Number));
    // No report recorded and no notice sent yet: those timings are not there.
    expect(scoped.timings.reportMs).toBeUndefined();
    expect(scoped.timings.notificationMs).toBeUndefined();
    const affected = await api.call('GET', `/v1/incidents/${incidentId}/affected?limit=100`, { token: dpo });
    expect(affected.status).toBe(200);
    expect(affected.body.items.map((i: { customerId: string }) => i.customerId).sort()).toEqual(people.slice(0, 11).map((p) => p.id).sort());
  });

  it('refuses an action out of order and leaves the incident as it was', async () => {
    const before = await get(incidentId);
    for (const body of [{ action: 'notify' }, { action: 'contain', measures: 'Drillprobe measures too early' }, { action: 'remediate' }]) {
      const refused = await transition(incidentId, body);
      expect(refused.status, body.action).toBe(409);
      expect(refused.body.field).toBe('action');
      expect(refused.body.allowedActions).toEqual(['assess']);
    }
    const close = await transition(incidentId, { action: 'close', lessons: 'Drillprobe lessons too early' });
    expect(close.status).toBe(409);
    const malformed = await transition(incidentId, { action: 'assess', highRisk: true });
    expect(malformed.status).toBe(400);
    expect(steady(await get(incidentId))).toEqual(steady(before));
  });

  it('moves a deadline only with a reason, by the DPO', async () => {
    const before = await get(incidentId);
    const current = before.deadlines.find((d: { obligation: string }) => d.obligation === 'pipl-57-authority');
    const dueAt = iso(Date.parse(current.dueAt) + 12 * 3_600_000);
    const path = `/v1/incidents/${incidentId}/deadlines/pipl-57-authority`;
    const noReason = await api.call('PUT', path, { token: dpo, body: { dueAt } });
    expect(noReason.status).toBe(400);
    expect(noReason.body.field).toBe('reason');
    expect((await api.call('PUT', path, { token: admin, body: { dueAt, reason: 'Drillprobe reason' } })).status).toBe(403);
    const unknown = await api.call('PUT', `/v1/incidents/${incidentId}/deadlines/no-such-law`, { token: dpo, body: { dueAt, reason: 'Drillprobe reason' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('obligation');
    expect(steady(await get(incidentId))).toEqual(steady(before));
    const moved = await api.call('PUT', path, { token: dpo, body: { dueAt, reason: 'Drillprobe reason: the authority granted more time' } });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const after = moved.body.deadlines.find((d: { obligation: string }) => d.obligation === 'pipl-57-authority');
    expect(after).toMatchObject({ dueAt, changed: { by: 'dpo-drill', from: current.dueAt } });
  });

  it('runs the whole path with every notice in the drill sink, masked, and none to a customer', async () => {
    const assessed = await transition(incidentId, {
      action: 'assess',
      highRisk: true,
      consequences: 'Drillprobe consequences',
      cause: 'Drillprobe cause',
      advice: 'Drillprobe advice',
      exposure: { sealedFields: ['name'], clearFields: ['phones'], keysExposed: false },
    });
    expect(assessed.status, JSON.stringify(assessed.body)).toBe(200);
    expect((await transition(incidentId, { action: 'contain', measures: 'Drillprobe measures' })).status).toBe(200);
    const submitted = await api.call('POST', `/v1/incidents/${incidentId}/reports/pipl/submissions`, {
      token: dpo,
      body: { phase: 'initial', submittedAt: iso(Date.now() - 1000), recipient: 'Drill: provincial office (not sent)', reference: 'DRILL-1' },
    });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(201);

    const outboxBefore = customerOutbox().length;
    const notifying = await transition(incidentId, { action: 'notify' });
    expect(notifying.status, JSON.stringify(notifying.body)).toBe(200);
    await api.queues.incidentWork.drain();
    expect(api.queues.incidentWork.deadLetters).toEqual([]);

    expect(customerOutbox()).toHaveLength(outboxBefore);
    const affected = people.slice(0, 11);
    const reachable = affected.filter((p) => p.contacts.length);
    const sink = drillSink();
    expect(sink).toHaveLength(reachable.length);
    const everyContact = people.flatMap((p) => p.contacts);
    for (const { text, message } of sink) {
      expect(message.subject.startsWith('[DRILL]'), message.subject).toBe(true);
      expect(message.to).toContain('***');
      for (const personal of [...everyContact, ...people.map((p) => p.name)]) expect(text.includes(personal), `drill sink holds ${personal}`).toBe(false);
    }
    // Masked but still telling the channels apart: one per reachable customer.
    expect(sink.filter((f) => f.message.channel === 'sms')).toHaveLength(1);

    const done = await get(incidentId);
    expect(done.notifications).toMatchObject({ drill: true, state: 'done', affected: 11, sent: reachable.length, undeliverable: 1, failed: 0, pending: 0, queued: 0 });
    expect(done.timings).toEqual({ scopeMs: expect.any(Number), notificationMs: expect.any(Number), reportMs: expect.any(Number) });
    for (const ms of Object.values(done.timings) as number[]) expect(ms).toBeGreaterThanOrEqual(0);
    expect(done.timings.reportMs).toBeGreaterThanOrEqual(20 * MINUTE - 1000);

    const drills = await api.call('GET', '/v1/incidents?drill=true', { token: admin });
    expect(drills.body.items.map((i: { id: string }) => i.id)).toEqual([incidentId]);
    expect((await api.call('GET', '/v1/incidents?drill=false', { token: admin })).body.items).toEqual([]);

    // Every call of the DPO's on the incident is on record under the breach-response purpose.
    const entries: Array<{ action: string; purpose: string; targetType: string; targetId: string }> = [];
    let cursor: string | undefined;
    do {
      const trail = await api.call('GET', `/v1/audit?actor=dpo-drill&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: await api.token('auditor') });
      expect(trail.status, JSON.stringify(trail.body)).toBe(200);
      entries.push(...trail.body.items);
      cursor = trail.body.cursor;
    } while (cursor);
    const onIncident = entries.filter((e) => e.targetType === 'incident' && e.targetId === incidentId);
    expect(onIncident.length).toBeGreaterThan(5);
    expect(new Set(onIncident.map((e) => e.purpose))).toEqual(new Set(['breach-response']));
    expect(onIncident.map((e) => e.action)).toEqual(expect.arrayContaining(['incident.create', 'incident.scope', 'incident.transition', 'incident.deadline', 'incident.affected.read']));
  });
});
