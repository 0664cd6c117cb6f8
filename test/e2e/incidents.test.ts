import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createObservability } from '../../functions/http/index.js';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * BR-1 to BR-4 and SEC-6 end to end on the local runtime: an agent reads 300 customer records
 * in a burst; the audit table's stream feeds the detector, whose finding opens a draft
 * incident scoped to exactly those 300 by the incident-work queue; the DPO assesses, reports,
 * contains and notifies (one message per customer with a contact); the deadline monitor
 * announces each fraction of the open PIPL clock once as the clock moves on; the incident
 * is remediated and closed. Nothing personal, and none of the incident's text, in plaintext.
 */
let api: TestApi;
let intake: string;
let reader: string;
let dpo: string;
let admin: string;
const READER = 'agent-burst';
const HOUR = 3_600_000;
const CONTACT = 'privacy@kehu.local';
const logs: string[] = [];
const restore: Array<() => void> = [];

/**
 * The runtime's clock: the wall clock shifted so that the burst falls well inside one hour of
 * business hours in Shanghai (the most recent 03:05 UTC, 11:05 there), and moved on at will.
 */
let shift = 0;
const clock = { now: () => new Date(Date.now() + shift) };
const setClock = (at: number) => {
  shift = at - Date.now();
};
function lastMorning(): number {
  const at = new Date();
  at.setUTCHours(3, 5, 0, 0);
  if (at.getTime() > Date.now()) at.setUTCDate(at.getUTCDate() - 1);
  return at.getTime();
}

interface Person {
  id: string;
  name: string;
  emails: string[];
  phones: string[];
  region: string;
  english: boolean;
}
/** The population: the first 300 are read in the burst, the rest never. */
const people: Person[] = [];
const READ = 300;
const POPULATION = 320;
const read = () => people.slice(0, READ);
const withContact = (p: Person) => p.emails.length + p.phones.length > 0;

/** The free text staff write into the incident: none of it may be stored or logged in clear. */
const TEXT = {
  consequences: 'Probeconsequence: names and phone numbers seen by an unauthorised colleague',
  cause: 'Probecause: a shared agent account used outside its duties',
  advice: 'Probeadvice: be wary of calls asking for verification codes',
  measures: 'Probemeasures: account locked and sessions revoked',
  note: 'Probenote: filed through the authority portal',
  step: 'Probestep: review the read limits of agent accounts',
  explanation: 'Probeexplain: the PIPL notice waited for the authority portal to reopen',
  lessons: 'Probelessons: alert on bursts within minutes, not hours',
};

async function inBatches<T, R>(items: T[], size: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => run(item, i + j)))));
  return out;
}

/** Files directly in a folder (sub-folders such as the drill sink's do not count), parsed. */
const messagesIn = (folder: string): Array<{ channel: string; to: string; subject: string; body: string }> =>
  existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => JSON.parse(readFileSync(join(folder, entry.name), 'utf8')))
    : [];

/** The deadline alerts of the incident on the bus (the local event file), oldest first. */
const alertsOf = (incidentId: string): Array<{ obligation: string; fraction: number; drill: boolean }> =>
  readFileSync(join(api.dataDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
    .filter((event) => event.type === 'IncidentDeadlineAlert' && event.detail.incidentId === incidentId)
    .map((event) => event.detail);

/** Every item of a paged listing, page by page, as the DPO reads it. */
async function allPages(path: string): Promise<Array<Record<string, any>>> {
  const items = [];
  let cursor: string | undefined;
  do {
    const page = await api.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: dpo });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.cursor;
  } while (cursor);
  return items;
}

const incident = async (id: string) => {
  const res = await api.call('GET', `/v1/incidents/${id}`, { token: dpo });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const transition = (id: string, body: Record<string, unknown>) => api.call('POST', `/v1/incidents/${id}/transitions`, { token: dpo, body });
const deadline = (body: { deadlines: Array<{ obligation: string }> }, obligation: string) => {
  const found = body.deadlines.find((d) => d.obligation === obligation);
  expect(found, `deadline ${obligation}`).toBeDefined();
  return found as Record<string, any>;
};

let incidentId: string;
let awareAt: number;
let findingId: string;

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
  setClock(lastMorning());
  api = await startTestApi({ overrides: { clock } });
  intake = await api.token('agent', 'agent-intake');
  reader = await api.token('agent', READER);
  dpo = await api.token('dpo', 'dpo-9');
  admin = await api.token('admin', 'admin-9');

  // Some in the EU (GDPR applies too), some reachable by phone only, a few with no contact at all.
  const bodies = Array.from({ length: POPULATION }, (_, i) => {
    const overrides: Record<string, unknown> = { name: `Breachprobe${i} 李${i}` };
    if (i % 15 === 0) overrides.region = 'DE-BE';
    if (i % 25 === 3) overrides.emails = [];
    if (i % 60 === 7) Object.assign(overrides, { emails: [], phones: [] });
    if (i % 10 === 4) overrides.language = 'en';
    return newCustomer(overrides);
  });
  const created = await inBatches(bodies, 4, async (body) => {
    const res = await api.call('POST', '/v1/customers', { token: intake, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.id as string;
  });
  bodies.forEach((body, i) =>
    people.push({ id: created[i]!, name: body.name, emails: body.emails, phones: body.phones, region: body.region, english: body.language === 'en' }),
  );

  // The burst: one agent reads 300 records within minutes.
  await inBatches(read(), 6, async (person) => {
    const res = await api.call('GET', `/v1/customers/${person.id}`, { token: reader });
    expect(res.status).toBe(200);
  });
  await api.auditStream.drain();
  await api.queues.incidentWork.drain();
}, 180_000);
afterAll(async () => {
  restore.forEach((r) => r());
  delete process.env.POWERTOOLS_LOG_LEVEL;
  await api?.close();
});

describe('a read burst, from the finding to the closed incident', () => {
  it('raises a high read-rate finding for the agent, with the draft incident it opened', async () => {
    expect((await api.call('GET', '/v1/security/findings', { token: await api.token('agent') })).status).toBe(403);
    const findings = await api.call('GET', '/v1/security/findings?rule=read-rate', { token: dpo });
    expect(findings.status, JSON.stringify(findings.body)).toBe(200);
    const mine = findings.body.items.filter((f: { subject: string }) => f.subject === READER);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ rule: 'read-rate', level: 'high', subjectRole: 'agent', observed: READ });
    expect(mine[0].incidentId).toEqual(expect.any(String));
    // The one who created the records read none of them: no finding of theirs.
    expect(findings.body.items.some((f: { subject: string }) => f.subject === 'agent-intake')).toBe(false);
    incidentId = mine[0].incidentId;
    findingId = mine[0].id;

    const draft = await incident(incidentId);
    expect(draft).toMatchObject({ id: incidentId, source: 'detector', draft: true, drill: false, findingId, status: 'open' });
    awareAt = Date.parse(draft.awareAt);
    expect(draft.scope.runs).toHaveLength(1);
    expect(draft.scope.runs[0]).toMatchObject({ source: { by: 'actor', actor: READER }, state: 'done', added: READ });
    const eu = read().filter((p) => p.region === 'DE-BE').length;
    expect(draft.scope.counts).toMatchObject({ affected: READ, byJurisdiction: { CN: READ - eu, EU: eu } });
    expect(api.queues.incidentWork.deadLetters).toEqual([]);
  });

  it('scopes exactly the 300 records read, listed to the DPO only', async () => {
    expect((await api.call('GET', `/v1/incidents/${incidentId}/affected`, { token: admin })).status).toBe(403);
    const affected = await allPages(`/v1/incidents/${incidentId}/affected`);
    for (const item of affected) {
      const person = people.find((p) => p.id === item.customerId);
      expect(item).toMatchObject({ region: person?.region, jurisdiction: person?.region === 'DE-BE' ? 'EU' : 'CN' });
    }
    const ids = affected.map((item) => item.customerId as string);
    expect(ids).toHaveLength(READ);
    expect(new Set(ids)).toEqual(new Set(read().map((p) => p.id)));
  });

  it('is assessed by the DPO, with the GDPR and PIPL clocks running from awareness', async () => {
    const before = await incident(incidentId);
    const assessed = await transition(incidentId, {
      action: 'assess',
      highRisk: true,
      consequences: TEXT.consequences,
      cause: TEXT.cause,
      advice: TEXT.advice,
      exposure: { sealedFields: [], clearFields: ['name', 'phones', 'emails'], keysExposed: false },
      dataCategories: ['identity', 'contact'],
    });
    expect(assessed.status, JSON.stringify(assessed.body)).toBe(200);
    expect(assessed.body).toMatchObject({ status: 'assessed', draft: false, grade: 'general', version: before.version + 1 });
    expect(assessed.body.assessment).toMatchObject({ highRisk: true, intelligible: true, assessedBy: 'dpo-9', advice: TEXT.advice });
    const gdpr = deadline(assessed.body, 'gdpr-33');
    expect(gdpr).toMatchObject({ applies: true, state: 'running', regime: 'gdpr', audience: 'authority' });
    expect(Date.parse(gdpr.dueAt) - awareAt).toBe(72 * HOUR);
    expect(deadline(assessed.body, 'gdpr-34')).toMatchObject({ applies: true, state: 'running', audience: 'individuals' });
    for (const id of ['pipl-57-authority', 'pipl-57-individuals', 'ndsr-11-individuals']) {
      expect(deadline(assessed.body, id), id).toMatchObject({ applies: true, state: 'running' });
    }
    // 300 people: graded general, below the CAC's reporting grades.
    expect(deadline(assessed.body, 'cac-first-report')).toMatchObject({ applies: false, state: 'not-applicable' });
  });

  it('drafts the GDPR, PIPL and CAC reports with what is missing marked, and records the GDPR submission', async () => {
    expect((await api.call('GET', `/v1/incidents/${incidentId}/reports/gdpr`, { token: await api.token('agent') })).status).toBe(403);
    const reports: Record<string, any> = {};
    for (const regime of ['gdpr', 'pipl', 'cac']) {
      const res = await api.call('GET', `/v1/incidents/${incidentId}/reports/${regime}`, { token: dpo });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ incidentId, regime, submissions: [] });
      expect(res.body.items.length).toBeGreaterThan(0);
      for (const item of res.body.items) expect(typeof item.missing, JSON.stringify(item)).toBe('boolean');
      reports[regime] = res.body;
    }
    const gdpr = reports.gdpr;
    expect(gdpr.obligation).toBe('gdpr-33');
    expect(gdpr.items.map((i: { key: string }) => i.key)).toEqual(expect.arrayContaining(['a', 'b', 'c', 'd']));
    const item = (key: string) => gdpr.items.find((i: { key: string }) => i.key === key);
    // Not contained yet: the measures are missing, the rest is known.
    expect(item('d').missing).toBe(true);
    expect(gdpr.complete).toBe(false);
    expect(item('b')).toMatchObject({ missing: false });
    expect(JSON.stringify(item('b').value)).toContain(CONTACT);
    expect(item('c')).toMatchObject({ missing: false });
    expect(JSON.stringify(item('c').value)).toContain(TEXT.consequences);
    expect(item('a.subjects')).toMatchObject({ value: READ, missing: false });
    expect(item('a.categories')).toMatchObject({ value: ['identity', 'contact'], missing: false });
    expect(reports.pipl.deadline).toMatchObject({ obligation: 'pipl-57-authority', applies: true, state: 'running' });
    const pipl = (key: string) => reports.pipl.items.find((i: { key: string }) => i.key === key);
    expect(pipl('categories').value).toMatchObject({ affected: READ, categories: ['identity', 'contact'] });
    expect(pipl('measures').missing).toBe(true);
    expect(pipl('advice')).toMatchObject({ value: TEXT.advice, missing: false });
    // 300 people: a general incident, below the grades the CAC's first report is owed at.
    expect(reports.cac.deadline).toMatchObject({ obligation: 'cac-first-report', applies: false, state: 'not-applicable' });
    const cac = (key: string) => reports.cac.items.find((i: { key: string }) => i.key === key);
    expect(cac('type').value).toMatchObject({ grade: 'general' });
    expect(cac('scope').value).toMatchObject({ affected: READ });

    const submission = { phase: 'initial', submittedAt: new Date(clock.now().getTime() - 60_000).toISOString(), recipient: 'Berliner Beauftragte für Datenschutz', reference: 'BLN-2026-0042', note: TEXT.note };
    expect((await api.call('POST', `/v1/incidents/${incidentId}/reports/gdpr/submissions`, { token: admin, body: submission })).status).toBe(403);
    const future = await api.call('POST', `/v1/incidents/${incidentId}/reports/gdpr/submissions`, { token: dpo, body: { ...submission, submittedAt: new Date(clock.now().getTime() + HOUR).toISOString() } });
    expect(future.status).toBe(400);
    expect(future.body.field).toBe('submittedAt');
    const recorded = await api.call('POST', `/v1/incidents/${incidentId}/reports/gdpr/submissions`, { token: dpo, body: submission });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect(recorded.body).toMatchObject({ regime: 'gdpr', phase: 'initial', reference: 'BLN-2026-0042', recordedBy: 'dpo-9' });
    const after = await incident(incidentId);
    expect(deadline(after, 'gdpr-33')).toMatchObject({ state: 'met' });
    expect(deadline(after, 'pipl-57-authority')).toMatchObject({ state: 'running' });
    expect(after.timings.reportMs).toEqual(expect.any(Number));
    const again = await api.call('GET', `/v1/incidents/${incidentId}/reports/gdpr`, { token: dpo });
    expect(again.body.submissions).toMatchObject([{ reference: 'BLN-2026-0042', note: TEXT.note }]);
  });

  it('is contained, then notifies each affected customer with a contact exactly once', async () => {
    const contained = await transition(incidentId, { action: 'contain', measures: TEXT.measures });
    expect(contained.status, JSON.stringify(contained.body)).toBe(200);
    expect(contained.body).toMatchObject({ status: 'contained', measures: TEXT.measures });
    const gdprReport = await api.call('GET', `/v1/incidents/${incidentId}/reports/gdpr`, { token: dpo });
    expect(gdprReport.body.items.find((i: { key: string }) => i.key === 'd')).toMatchObject({ missing: false });

    const notifying = await transition(incidentId, { action: 'notify' });
    expect(notifying.status, JSON.stringify(notifying.body)).toBe(200);
    expect(notifying.body.status).toBe('notifying');
    await api.queues.incidentWork.drain();
    expect(api.queues.incidentWork.deadLetters).toEqual([]);

    const reachable = read().filter(withContact);
    const unreachable = read().filter((p) => !withContact(p));
    expect(unreachable.length).toBeGreaterThan(0);
    const messages = messagesIn(join(api.dataDir, 'outbox'));
    expect(messages).toHaveLength(reachable.length);
    const owner = new Map<string, Person>();
    for (const p of people) for (const contact of [...p.emails, ...p.phones]) owner.set(contact, p);
    const reached = new Map<string, number>();
    for (const message of messages) {
      const person = owner.get(message.to);
      expect(person, `recipient ${message.to}`).toBeDefined();
      reached.set(person!.id, (reached.get(person!.id) ?? 0) + 1);
      // By mail where there is an address, else by text message; in the customer's language.
      expect(message.channel).toBe(person!.emails.length ? 'email' : 'sms');
      if (message.channel === 'email') expect(message.to).toBe(person!.emails[0]);
      expect(message.subject + message.body).toMatch(person!.english ? /breach/i : /个人信息安全事件/);
      expect(message.body).toContain(CONTACT);
      if (message.channel === 'email') for (const text of [TEXT.cause, TEXT.consequences, TEXT.measures, TEXT.advice]) expect(message.body).toContain(text);
      // Nothing of anyone in it: not the recipient's name, nor any other customer's.
      for (const other of people) {
        for (const personal of [other.name, ...other.emails, ...other.phones]) expect(message.subject + message.body, `${message.to} names ${personal}`).not.toContain(personal);
      }
    }
    expect([...reached.keys()].sort()).toEqual(reachable.map((p) => p.id).sort());
    expect([...reached.values()].every((n) => n === 1)).toBe(true);

    const after = await incident(incidentId);
    const progress = after.notifications;
    expect(progress).toMatchObject({ affected: READ, state: 'done', drill: false, sent: reachable.length, undeliverable: unreachable.length, failed: 0, queued: 0, pending: 0, skipped: 0 });
    expect(progress.pending + progress.queued + progress.sent + progress.failed + progress.undeliverable + progress.skipped).toBe(progress.affected);
    expect(after.timings.notificationMs).toEqual(expect.any(Number));
    for (const id of ['gdpr-34', 'pipl-57-individuals', 'ndsr-11-individuals']) expect(deadline(after, id), id).toMatchObject({ state: 'met' });

    // The per-customer list agrees with the counters.
    const notices = await allPages(`/v1/incidents/${incidentId}/notifications`);
    expect(notices.filter((n) => n.state === 'sent').map((n) => n.customerId).sort()).toEqual(reachable.map((p) => p.id).sort());
    expect(notices.filter((n) => n.state === 'undeliverable').map((n) => n.customerId).sort()).toEqual(unreachable.map((p) => p.id).sort());
    expect(notices).toHaveLength(READ);
    const undeliverable = await allPages(`/v1/incidents/${incidentId}/notifications?state=undeliverable`);
    expect(undeliverable.map((n) => n.customerId).sort()).toEqual(unreachable.map((p) => p.id).sort());
    expect(undeliverable.every((n) => n.failure === 'no-contact')).toBe(true);

    // A second notify is refused, and sends nothing.
    const twice = await transition(incidentId, { action: 'notify' });
    expect(twice.status).toBe(409);
    expect(twice.body.field).toBe('action');
    await api.queues.incidentWork.drain();
    expect(messagesIn(join(api.dataDir, 'outbox'))).toHaveLength(reachable.length);
  }, 120_000);

  it('announces each fraction of the open PIPL clock once as time passes', async () => {
    expect(alertsOf(incidentId)).toEqual([]);
    const expected: Array<[number, number]> = [
      [36, 0.5],
      [65, 0.9],
      [73, 1],
    ];
    for (const [hours, fraction] of expected) {
      setClock(awareAt + hours * HOUR);
      const first = await api.container.incidentDeadlines.run();
      expect(first, `${hours} h`).toMatchObject({ alerts: 1 });
      const second = await api.container.incidentDeadlines.run();
      expect(second.alerts, `${hours} h again`).toBe(0);
      expect(alertsOf(incidentId).at(-1)).toEqual({ incidentId, obligation: 'pipl-57-authority', fraction, drill: false });
    }
    expect(alertsOf(incidentId)).toEqual(expected.map(([, fraction]) => ({ incidentId, obligation: 'pipl-57-authority', fraction, drill: false })));
    const late = await incident(incidentId);
    expect(deadline(late, 'pipl-57-authority')).toMatchObject({ state: 'missed', alerted: [0.5, 0.9, 1] });
    expect(deadline(late, 'gdpr-33')).toMatchObject({ state: 'met' });

    // The scheduled job: no alert left to announce, one deadline past for the alarm.
    const observability = await createObservability('jobs');
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    const sample = JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
    const job = await createJobsHandler(api.container, observability)({ Records: [{ ...sample.Records[0]!, body: '{"job":"incident-deadlines"}' }] });
    expect(job).toEqual({ batchItemFailures: [] });
    expect(addMetric).toHaveBeenCalledWith('IncidentDeadlineAlerts', expect.anything(), 0);
    expect(addMetric).toHaveBeenCalledWith('IncidentDeadlinesPast', expect.anything(), 1);
    expect(alertsOf(incidentId)).toHaveLength(3);
  });

  it('is remediated and closed only with its steps done and the missed deadline explained', async () => {
    const remediated = await transition(incidentId, { action: 'remediate' });
    expect(remediated.status, JSON.stringify(remediated.body)).toBe(200);
    expect(remediated.body.status).toBe('remediated');
    expect(remediated.body.handlingEndedAt).toEqual(expect.any(String));

    const added = await api.call('POST', `/v1/incidents/${incidentId}/steps`, { token: dpo, body: { action: TEXT.step, owner: 'security-lead', dueOn: '2027-01-15' } });
    expect([200, 201], JSON.stringify(added.body)).toContain(added.status);
    expect(added.body.steps).toMatchObject([{ action: TEXT.step, owner: 'security-lead', status: 'open' }]);
    const stepId = added.body.steps[0].id as string;

    const lessons = { action: 'close', lessons: TEXT.lessons, explanations: { 'pipl-57-authority': TEXT.explanation } };
    const early = await transition(incidentId, lessons);
    expect(early.status).toBe(409);
    expect(early.body.field).toBe('steps');
    expect((await incident(incidentId)).status).toBe('remediated');

    const done = await api.call('PATCH', `/v1/incidents/${incidentId}/steps/${stepId}`, { token: dpo, body: { status: 'done' } });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.steps[0]).toMatchObject({ status: 'done', doneAt: expect.any(String) });

    const unexplained = await transition(incidentId, { action: 'close', lessons: TEXT.lessons });
    expect(unexplained.status).toBe(409);
    expect(unexplained.body.field).toBe('deadlines');
    expect(JSON.stringify(unexplained.body)).toContain('pipl-57-authority');

    const closed = await transition(incidentId, lessons);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', lessons: TEXT.lessons, closedAt: expect.any(String) });
    expect(deadline(closed.body, 'pipl-57-authority').state).toBe('explained');
    expect(closed.body.history.map((h: { action: string }) => h.action)).toEqual(['assess', 'contain', 'notify', 'remediate', 'close']);
    // Closed: the monitor no longer watches it.
    const after = await api.container.incidentDeadlines.run();
    expect(after.incidents).toBe(0);
  });

  it('keeps no customer data and none of the incident text in clear in the tables, the logs or the events', async () => {
    const draft = await incident(incidentId);
    const raw = JSON.stringify(await scanAll(api.client, api.prefix));
    const logText = logs.join('');
    const events = readFileSync(join(api.dataDir, 'events.jsonl'), 'utf8');
    // The capture works, and sealed values are there.
    expect(logText).toContain('"route":"GET /v1/customers/{id}"');
    expect(raw).toContain('"S":"v1.');
    const probes = [draft.title, draft.description, ...Object.values(TEXT), ...people.flatMap((p) => [p.name, ...p.emails, ...p.phones])];
    for (const probe of probes) {
      expect(raw.includes(probe), `table holds ${probe}`).toBe(false);
      expect(logText.includes(probe), `logs hold ${probe}`).toBe(false);
      expect(events.includes(probe), `events hold ${probe}`).toBe(false);
    }
    for (const marker of ['Breachprobe', 'Probe']) {
      expect(raw.includes(marker), `table holds ${marker}`).toBe(false);
      expect(logText.includes(marker), `logs hold ${marker}`).toBe(false);
    }
  });
});
