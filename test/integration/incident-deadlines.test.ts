import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { IncidentDeadlineMonitor, type IncidentDeadlineMonitorDeps } from '../../shared/contexts/incidents/deadline-monitor.js';
import { defaultObligations } from '../../shared/contexts/incidents/obligations.js';
import { IncidentReportService } from '../../shared/contexts/incidents/reports.js';
import { IncidentRepository } from '../../shared/contexts/incidents/repository.js';
import type { IncidentRecord, NotificationProgress, ScopeCounts } from '../../shared/contexts/incidents/types.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, EventPublisher, Store, Write } from '../../shared/platform/ports/index.js';
import { createWiring, type Wiring } from '../../shared/runtime/wiring.js';
import { freshTables, testConfig } from '../support/dynamo.js';

/** BR-2: the legal clocks of unclosed incidents watched by a job, each alert announced once. */
const HOUR = 3_600_000;
const start = Date.parse('2026-06-01T06:00:00.000Z');
let now = start;
const clock = { now: () => new Date(now) };
const setHours = (hours: number) => (now = start + hours * HOUR);
/** Two obligations keep the clocks countable: 72 hours (EU) and 4 hours (CN, graded). */
const obligations = defaultObligations.filter((o) => o.id === 'gdpr-33' || o.id === 'cac-first-report');
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'breach-response' };

let wiring: Wiring;
let incidents: IncidentRepository;
const published: DomainEvent[] = [];
const recording: EventPublisher = { publish: async (events) => void published.push(...events) };
/** Incidents whose counts were asked for: a closed one must never be. */
const read: string[] = [];
const noCounts: ScopeCounts = { affected: 0, byRegion: {}, byJurisdiction: {}, byCategory: {} };
const idle: NotificationProgress = { affected: 0, pending: 0, queued: 0, sent: 0, failed: 0, undeliverable: 0, skipped: 0, state: 'not-started', drill: false };
const scope = { counts: async (id: string) => (read.push(id), noCounts) };
const notifications = { progress: async () => idle };
let eu: string;
let cn: string;
let closed: string;
let reported: string;

function monitor(overrides: Partial<IncidentDeadlineMonitorDeps> = {}): IncidentDeadlineMonitor {
  return new IncidentDeadlineMonitor({
    repository: incidents,
    store: wiring.store,
    scope,
    notifications,
    events: recording,
    clock,
    obligations,
    operatorType: 'ordinary',
    fractions: [0.5, 0.9, 1],
    ...overrides,
  });
}

async function incident(fields: Partial<IncidentRecord>): Promise<string> {
  const id = randomUUID();
  const at = clock.now().toISOString();
  const record: IncidentRecord = {
    id,
    source: 'staff',
    draft: false,
    drill: false,
    occurredAt: at,
    discoveredAt: at,
    awareAt: at,
    dataCategories: ['contact'],
    systems: ['crm'],
    jurisdictions: [],
    severity: 'high',
    status: 'open',
    steps: [],
    history: [],
    deadlineChanges: {},
    explanations: {},
    met: {},
    alerted: {},
    createdAt: at,
    createdBy: 'dpo-1',
    updatedAt: at,
    version: 1,
    text: { title: 'Laptop lost', description: 'A laptop with an export was lost', notes: {} },
    ...fields,
  };
  const { writes, remember } = await incidents.createWrites(record);
  await wiring.store.transact(writes);
  remember();
  return id;
}

async function update(id: string, change: (r: IncidentRecord) => Partial<IncidentRecord>): Promise<void> {
  const current = (await incidents.find(id))!;
  await wiring.store.transact([await incidents.updateWrite({ ...current, ...change(current), version: current.version + 1 }, current.version)]);
}

const alertsOf = (events: DomainEvent[]) => events.map((e) => `${e.detail.incidentId === eu ? 'eu' : e.detail.incidentId === cn ? 'cn' : e.detail.incidentId}:${e.detail.obligation}:${e.detail.fraction}`).sort();
const drain = () => published.splice(0, published.length);

beforeAll(async () => {
  const tables = await freshTables();
  const config = testConfig(tables.prefix, tables.endpoint);
  wiring = createWiring(config, { dynamodb: tables.client, keyService: new LocalKeyService(Buffer.alloc(32, 23)), clock });
  incidents = new IncidentRepository(wiring.store, wiring.keys, config.indexShards.incidents);
  // EU people: the 72 hours. A drill graded major in China: the 4 hours.
  eu = await incident({ jurisdictions: ['EU'] });
  cn = await incident({ jurisdictions: ['CN'], gradeOverride: 'major', drill: true, source: 'drill' });
  // Long past every deadline, but closed: the monitor's index no longer holds it.
  setHours(-200);
  closed = await incident({ jurisdictions: ['EU', 'CN'], gradeOverride: 'major' });
  await update(closed, () => ({ status: 'closed', closedAt: new Date(start).toISOString() }));
  // Reported in time: its clock stops.
  reported = await incident({ jurisdictions: ['EU'], awareAt: new Date(start - 10 * HOUR).toISOString() });
  await update(reported, (r) => ({ met: { 'gdpr-33': { at: new Date(start - 9 * HOUR).toISOString() } }, version: r.version + 1 }));
  setHours(0);
}, 120_000);

describe('the deadline monitor', () => {
  it('announces 50%, 90% and 100% once each across runs, publishing each alert', async () => {
    const first = await monitor().run();
    expect(first).toEqual({ incidents: 3, running: 2, alerts: 0, byFraction: { '50%': 0, '90%': 0, '100%': 0 }, past: 0 });
    expect(read).not.toContain(closed);

    setHours(2);
    expect(await monitor().run()).toMatchObject({ alerts: 1, byFraction: { '50%': 1, '90%': 0, '100%': 0 } });
    const [half] = drain();
    expect(half).toMatchObject({ type: 'IncidentDeadlineAlert', detail: { incidentId: cn, obligation: 'cac-first-report', fraction: 0.5, drill: true } });
    expect(half!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(half!.at)).toBe(now);
    // Another run (another process) at the same time announces nothing new.
    expect(await monitor().run()).toMatchObject({ alerts: 0, byFraction: { '50%': 1 } });
    expect(drain()).toEqual([]);

    setHours(3.7);
    expect(await monitor().run()).toMatchObject({ alerts: 1, byFraction: { '50%': 1, '90%': 1, '100%': 0 } });
    expect(alertsOf(drain())).toEqual(['cn:cac-first-report:0.9']);

    setHours(4.5);
    expect(await monitor().run()).toEqual({ incidents: 3, running: 1, alerts: 1, byFraction: { '50%': 1, '90%': 1, '100%': 1 }, past: 1 });
    expect(alertsOf(drain())).toEqual(['cn:cac-first-report:1']);
    expect((await incidents.find(cn))!.alerted).toEqual({ 'cac-first-report': [0.5, 0.9, 1] });

    setHours(36);
    await monitor().run();
    expect(alertsOf(drain())).toEqual(['eu:gdpr-33:0.5']);
    expect((await incidents.find(eu))!.alerted).toEqual({ 'gdpr-33': [0.5] });

    // A run that missed the 90% announces both fractions reached, each once.
    setHours(80);
    expect(await monitor().run()).toEqual({ incidents: 3, running: 0, alerts: 2, byFraction: { '50%': 2, '90%': 2, '100%': 2 }, past: 2 });
    expect(alertsOf(drain())).toEqual(['eu:gdpr-33:0.9', 'eu:gdpr-33:1']);
    expect(await monitor().run()).toMatchObject({ alerts: 0, past: 2 });
    expect(drain()).toEqual([]);
    expect(read).not.toContain(closed);
    const eventText = JSON.stringify(published);
    expect(eventText).not.toContain('Laptop');
  });

  it('saves nothing when the publish fails, and announces again on the next run', async () => {
    const id = await incident({ jurisdictions: ['EU'], awareAt: new Date(now - 40 * HOUR).toISOString() });
    const failures: DomainEvent[][] = [];
    const failing = monitor({ events: { publish: async () => Promise.reject(new Error('bus down')) }, onPublishFailure: (_e, events) => void failures.push(events) });
    expect(await failing.run()).toMatchObject({ alerts: 0 });
    expect(failures.flat().map((e) => e.detail)).toEqual([{ incidentId: id, obligation: 'gdpr-33', fraction: 0.5, drill: false }]);
    expect((await incidents.find(id))!).toMatchObject({ alerted: {}, version: 1 });
    await monitor().run();
    expect(drain().map((e) => e.detail)).toEqual([{ incidentId: id, obligation: 'gdpr-33', fraction: 0.5, drill: false }]);
    expect((await incidents.find(id))!).toMatchObject({ alerted: { 'gdpr-33': [0.5] }, version: 2 });
    await update(id, () => ({ status: 'closed' }));
  });

  it('leaves a save that raced a staff change to the next run', async () => {
    const id = await incident({ jurisdictions: ['EU'], awareAt: new Date(now - 40 * HOUR).toISOString() });
    let hooked = false;
    const racing: Store = Object.create(wiring.store, {
      transact: {
        value: async (writes: Write[]) => {
          if (!hooked) {
            hooked = true;
            await update(id, () => ({ severity: 'critical' }));
          }
          return wiring.store.transact(writes);
        },
      },
    });
    expect(await monitor({ store: racing }).run()).toMatchObject({ alerts: 1 });
    expect((await incidents.find(id))!).toMatchObject({ alerted: {}, severity: 'critical', version: 2 });
    drain();
    await monitor().run();
    expect(drain().map((e) => e.detail.incidentId)).toEqual([id]);
    expect((await incidents.find(id))!).toMatchObject({ alerted: { 'gdpr-33': [0.5] }, severity: 'critical', version: 3 });
    await update(id, () => ({ status: 'closed' }));
  });

  it('stops a clock once the report is recorded', async () => {
    const id = await incident({ jurisdictions: ['CN'], gradeOverride: 'relatively-major', awareAt: new Date(now - HOUR).toISOString() });
    const reports = new IncidentReportService({ repository: incidents, store: wiring.store, audit: wiring.audit, clock, scope, notifications, obligations, operatorType: 'ordinary', contact: 'dpo@kehu.example' });
    await reports.submit(id, 'cac', { phase: 'initial', submittedAt: new Date(now - HOUR / 2).toISOString(), recipient: '上海市网信办', reference: 'SH-7', note: 'Partial: cause still open' }, dpo);
    setHours(80 + 3);
    await monitor().run();
    expect(drain().filter((e) => e.detail.incidentId === id)).toEqual([]);
    const report = await reports.build(id, 'cac', dpo);
    expect(report.deadline).toMatchObject({ state: 'met', metAt: new Date(start + 79.5 * HOUR).toISOString() });
    expect(report.submissions).toEqual([expect.objectContaining({ phase: 'initial', reference: 'SH-7', note: 'Partial: cause still open', recordedBy: 'dpo-1' })]);
    expect((await incidents.find(id))!).toMatchObject({ firstReportAt: new Date(start + 79.5 * HOUR).toISOString(), met: { 'cac-first-report': { reference: 'SH-7' } } });
  });
});
