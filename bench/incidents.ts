import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditEntryOfImage } from '../functions/audit-stream/handler.js';
import { localConfig } from '../local/app.js';
import { LocalQueue } from '../local/queue.js';
import { CustomerRepository, resolveView } from '../shared/contexts/customers/index.js';
import { jurisdictionOf } from '../shared/contexts/incidents/jurisdictions.js';
import { NOTIFICATION_PAGE, type NoticeRef } from '../shared/contexts/incidents/notifications.js';
import { ScopeRepository, type AffectedCustomer } from '../shared/contexts/incidents/scope-repository.js';
import { SOURCE_PAGE } from '../shared/contexts/incidents/scope-sources.js';
import type { CreateIncidentInput } from '../shared/contexts/incidents/schemas.js';
import type { IncidentDataCategory } from '../shared/contexts/incidents/types.js';
import { AuditRepository, type AuditContext, type AuditEntry } from '../shared/platform/audit/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import type { DomainEvent, Store } from '../shared/platform/ports/index.js';
import { DynamoStore, ensureTables } from '../shared/platform/store/index.js';
import { querySharded } from '../shared/platform/store/sharded.js';
import { auditTable, dataTable, physicalTableName } from '../shared/platform/store/tables.js';
import { createContainer, createDynamoClient, type Container } from '../shared/runtime/index.js';
import type { BenchEnvironment } from './customer-records.js';
import { batchPut } from './lib/complaint-items.js';
import { CountingStore, storeCallsBetween, type StoreCalls } from './lib/counting-store.js';
import { CustomerBodies } from './lib/customers.js';
import { detectorBatch, planTrail, rawActorQuery, storedItem, streamRecords, trailEntry, type Suspect } from './lib/incident-items.js';
import { renderIncidents, type DetectorBatchFigures, type IncidentBenchFigures, type ScopeFigures } from './lib/incident-report.js';
import { runCleanups, runConcurrent } from './lib/measure.js';
import type { Section } from './lib/report.js';

export interface IncidentBenchSettings {
  /** Affected customers notified (`BENCH_INCIDENT_NOTIFY_N`); also the customers seeded (at least the largest scope). */
  customers: number;
  /** Entries of the audit trail the scope reads from (`BENCH_INCIDENT_AUDIT_N`), written raw. */
  auditEntries: number;
  /** Staff accounts the trail's other entries spread over, and the days they span. */
  auditActors: number;
  auditDays: number;
  /** The suspect actor's reads at each size, smaller first: one suspect per size, each read a distinct customer. */
  scopeSizes: number[];
  /** Scope runs per size (each on a fresh incident) and raw reads per size. */
  scopeRuns: number;
  rawReads: number;
  /** Detector batches, entries per batch, staff accounts in them, batches per hour of entries. */
  detectorBatches: number;
  detectorBatchSize: number;
  detectorActors: number;
  detectorBatchesPerHour: number;
  /** Seeding and deliveries in flight at once; BatchWriteItem calls in flight when seeding raw. */
  concurrency: number;
  seedParallel: number;
}

const dpo: AuditContext = { actor: { id: 'bench-dpo', role: 'dpo' }, purpose: 'breach-response' };
const admin: AuditContext = { actor: { id: 'bench', role: 'admin' }, purpose: 'service' };
const CATEGORIES: IncidentDataCategory[] = ['identity', 'contact'];
const HOUR_MS = 3_600_000;

const incidentInput = (title: string, at: Date): CreateIncidentInput => {
  const iso = (ms: number) => new Date(at.getTime() - ms).toISOString();
  return {
    title,
    description: 'Customer records read by an account outside its duties (benchmark).',
    source: 'staff',
    occurredAt: iso(3 * HOUR_MS),
    discoveredAt: iso(2 * HOUR_MS),
    awareAt: iso(HOUR_MS),
    severity: 'high',
    dataCategories: CATEGORIES,
    jurisdictions: ['CN'],
  } as CreateIncidentInput;
};

/**
 * Breach response on one container wired by `createContainer`: the notification of every
 * affected customer (its pages, then every notice delivered) beside sends of as many messages
 * to the local queue; the scope job by actor over a large audit trail, at two sizes of the
 * actor's reads, beside raw reads of the same index entries; the access detector's cost per
 * audit entry beside unmarshalling the stream records it is handed.
 */
export async function incidentsBenchmark(env: BenchEnvironment, settings: IncidentBenchSettings): Promise<Section> {
  const { concurrency } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const auditTableName = physicalTableName(prefix, auditTable);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const dynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => dynamo.destroy());
    await ensureTables(dynamo, prefix);
    const bare = new DynamoStore(dynamo, prefix);
    const store = new CountingStore(bare);
    const config = localConfig({ dataDir: env.dataDir, dynamodbEndpoint: env.dynamodbEndpoint, tablePrefix: prefix });
    const keyService = LocalKeyService.fromFile(join(env.dataDir, 'master.key'));
    // The queue's work is done in process: the queued notices are read from the events kept, messages counted.
    const queued: NoticeRef[] = [];
    let sent = 0;
    const container = createContainer(config, {
      dynamodb: dynamo,
      store,
      keyService,
      events: {
        publish: async (events: DomainEvent[]) => {
          for (const e of events) if (e.type === 'IncidentNotificationQueued') queued.push(e.detail as unknown as NoticeRef);
        },
      },
      notifier: { send: async () => void (sent += 1) },
    });
    const raw = DynamoDBDocumentClient.from(createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
    cleanups.push(() => raw.destroy());

    // ---- Customers (not timed) ----
    const seeded = Math.max(settings.customers, ...settings.scopeSizes);
    env.log(`incidents: ${seeded} customers created, ${concurrency} in flight`);
    const seedStarted = performance.now();
    const bodies = new CustomerBodies(seeded);
    const { view } = resolveView('admin');
    const customerIds: string[] = new Array<string>(seeded);
    await runConcurrent(seeded, concurrency, async (i) => {
      customerIds[i] = (await container.customers.create(bodies.next(), admin, view)).customer.id;
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    // ---- Notification of every affected customer ----
    const notifyIds = customerIds.slice(0, settings.customers);
    const incident = await container.incidents.create(incidentInput('Notification benchmark', new Date()), dpo);
    env.log(`incidents: ${notifyIds.length} customers put in scope raw, then notified (pages, then ${concurrency} deliveries in flight)`);
    await seedAffected(container, store, raw, dataTableName, incident.id, notifyIds, settings.seedParallel);
    const beforeStart = store.calls();
    const pagesStarted = performance.now();
    await container.incidentNotifications.start(incident.id, dpo);
    let pages = 0;
    for (;;) {
      const page = await container.incidentNotifications.runPage(incident.id);
      if (page.outcome === 'done') break;
      pages += 1;
      if (pages > notifyIds.length + AFFECTED_GUARD) throw new Error('The notification run did not end.');
    }
    const pagesMs = performance.now() - pagesStarted;
    const afterPages = store.calls();
    if (queued.length !== notifyIds.length) throw new Error(`The notification queued ${queued.length} notices, not ${notifyIds.length}.`);
    const outcomes: Record<string, number> = {};
    const delivery = await runConcurrent(queued.length, concurrency, async (i) => {
      const outcome = await container.incidentNotifications.deliver(queued[i]!, { receive: 1, maxReceives: 5 });
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    });
    const afterDeliveries = store.calls();
    if (sent !== queued.length) throw new Error(`The notification sent ${sent} notices, not ${queued.length}.`);
    const progress = await container.incidentNotifications.progress(incident.id);
    if (progress.state !== 'done' || progress.sent !== notifyIds.length) throw new Error(`The notification ended ${progress.state} with ${progress.sent} sent.`);
    const queueMs = await localQueueSends(join(env.dataDir, `incident-queue-${prefix}`), queued);

    // ---- Scope by actor over a large audit trail ----
    const trail = await seedTrail(env, bare, raw, auditTableName, customerIds, settings, config.indexShards.auditActors);
    const scope: ScopeFigures[] = [];
    for (const suspect of trail.suspects) {
      scope.push(await measureScope(env, container, store, bare, raw, auditTableName, suspect, trail.window, settings, config.indexShards.auditActors));
    }

    // ---- The detector's cost per audit entry ----
    const detector = await measureDetector(env, container, store, bare, settings);

    return {
      id: 'incidents',
      title: 'Breach response',
      body: renderIncidents({
        customers: notifyIds.length,
        seeded,
        seedSeconds,
        concurrency,
        notify: {
          pageSize: NOTIFICATION_PAGE,
          pages,
          pagesMs,
          queued: queued.length,
          delivered: sent,
          deliverMs: delivery.wallMs,
          outcomes,
          queueMs,
          pageCalls: storeCallsBetween(beforeStart, afterPages),
          deliveryCalls: storeCallsBetween(afterPages, afterDeliveries),
        },
        trail: { entries: settings.auditEntries, actors: settings.auditActors, days: settings.auditDays, seedSeconds: trail.seconds, shards: config.indexShards.auditActors, pageSize: SOURCE_PAGE },
        scope,
        detector,
      } satisfies IncidentBenchFigures),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

/** Pages beyond one per customer: a page that finds nothing new still counts. */
const AFFECTED_GUARD = 64;

/**
 * The affected set as the scope job leaves it (keys.ts layout, items as ScopeRepository
 * builds them): every customer's AFFECTED item written raw, a finished run and the counters
 * in one transaction. Not timed: the notification is what is measured.
 */
async function seedAffected(container: Container, store: Store, raw: DynamoDBDocumentClient, table: string, incidentId: string, customerIds: string[], parallel: number): Promise<void> {
  const scopes = new ScopeRepository(store);
  const profiles = new Map((await findProfiles(store, customerIds)).map((p) => [p.id, p.region ?? 'unknown']));
  const at = new Date().toISOString();
  const runId = randomUUID();
  const affected: AffectedCustomer[] = customerIds.map((customerId) => {
    const region = profiles.get(customerId) ?? 'unknown';
    return { customerId, region, jurisdiction: jurisdictionOf(region), addedAt: at };
  });
  await batchPut(raw, table, affected.length, (i) => {
    const write = scopes.affectedWrite(incidentId, runId, affected[i]!);
    if (write.op !== 'put') throw new Error('affectedWrite did not answer a put.');
    return write.item;
  }, parallel);
  await store.transact([
    scopes.runWrite({
      id: runId,
      incidentId,
      source: { by: 'segment', segment: { type: 'individual' } },
      state: 'done',
      read: affected.length,
      added: affected.length,
      pages: Math.ceil(affected.length / SOURCE_PAGE),
      startedAt: at,
      finishedAt: at,
      startedBy: dpo.actor.id,
      updatedAt: at,
      version: 1,
      sourceDone: true,
    }),
    scopes.statsAdd(incidentId, runId, affected, CATEGORIES),
  ]);
  const counts = await container.incidentScopes.counts(incidentId);
  if (counts.affected !== customerIds.length) throw new Error(`The seeded scope counts ${counts.affected}, not ${customerIds.length}.`);
}

/** Stored profiles (region), 100 a read. */
async function findProfiles(store: Store, ids: string[]): Promise<Array<{ id: string; region?: string }>> {
  const repository = new CustomerRepository(store);
  const out: Array<{ id: string; region?: string }> = [];
  for (let i = 0; i < ids.length; i += 100) out.push(...(await repository.findMany(ids.slice(i, i + 100))));
  return out;
}

/** The floor of the deliveries: as many notice messages through the local queue stand-in, consumed by a consumer that does nothing. */
async function localQueueSends(folder: string, queued: readonly NoticeRef[]): Promise<number> {
  const queue = new LocalQueue({ name: 'incident-work-floor', maxReceives: 5, deadLetterFile: join(folder, 'dead-letters.jsonl'), folder });
  queue.attach(async () => ({ batchItemFailures: [] }));
  const started = performance.now();
  for (const detail of queued) queue.send(JSON.stringify({ 'detail-type': 'IncidentNotificationQueued', detail: { type: 'IncidentNotificationQueued', detail } }));
  await queue.drain();
  return performance.now() - started;
}

/** The trail written raw: one suspect per scope size, each reading that many distinct seeded customers. */
async function seedTrail(env: BenchEnvironment, bare: Store, raw: DynamoDBDocumentClient, table: string, customerIds: string[], settings: IncidentBenchSettings, shards: number) {
  const suspects: Suspect[] = settings.scopeSizes.map((size, k) => ({ actor: `bench-suspect-${k}-${size}`, customers: customerIds.slice(0, size) }));
  const plan = planTrail(settings.auditEntries, settings.auditActors, settings.auditDays, new Date(Date.now() - HOUR_MS), suspects);
  const repository = new AuditRepository(bare, shards);
  env.log(`incidents: ${plan.entries} audit entries written raw (BatchWriteItem, ${settings.seedParallel} in flight), ${settings.auditActors} actors and ${suspects.length} suspects`);
  const started = performance.now();
  let reported = started;
  let written = 0;
  await batchPut(raw, table, plan.entries, (i) => {
    written += 1;
    const now = performance.now();
    if (now - reported > 30_000) {
      reported = now;
      env.log(`incidents: ${written} audit entries written, ${((written / (now - started)) * 1000).toFixed(0)}/s`);
    }
    return storedItem(repository, trailEntry(plan, i));
  }, settings.seedParallel);
  return { suspects, window: plan.window, seconds: (performance.now() - started) / 1000 };
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};

/** Scope runs of one suspect (each on a fresh incident, start and every page timed) and the raw reads of the same entries. */
async function measureScope(
  env: BenchEnvironment,
  container: Container,
  store: CountingStore,
  bare: Store,
  raw: DynamoDBDocumentClient,
  table: string,
  suspect: Suspect,
  window: { from: string; to: string },
  settings: IncidentBenchSettings,
  shards: number,
): Promise<ScopeFigures> {
  const size = suspect.customers.length;
  env.log(`incidents: scope by actor over ${size} entries, ${settings.scopeRuns} runs and ${settings.rawReads} raw reads of each kind`);
  const runsMs: number[] = [];
  let pages = 0;
  let calls: StoreCalls | undefined;
  for (let r = 0; r < settings.scopeRuns; r++) {
    const incident = await container.incidents.create(incidentInput(`Scope benchmark ${size} #${r}`, new Date()), dpo);
    const before = store.calls();
    const started = performance.now();
    const run = await container.incidentScopes.start(incident.id, { by: 'actor', actor: suspect.actor, ...window }, dpo);
    let runPages = 0;
    for (;;) {
      const page = await container.incidentScopes.runPage(incident.id, run.id);
      runPages += 1;
      if (page.outcome === 'done') break;
      if (runPages > size + AFFECTED_GUARD) throw new Error('The scope run did not end.');
    }
    runsMs.push(performance.now() - started);
    calls = storeCallsBetween(before, store.calls());
    pages = runPages;
    const counts = await container.incidentScopes.counts(incident.id);
    if (counts.affected !== size) throw new Error(`The scope found ${counts.affected} customers, not ${size}.`);
  }
  const pagedMs: number[] = [];
  const queryMs: number[] = [];
  for (let r = 0; r < settings.rawReads; r++) {
    let started = performance.now();
    let read = 0;
    let cursor: string | undefined;
    do {
      const page = await querySharded<Record<string, unknown> & { pk: string }>(bare, {
        table: auditTable.name,
        index: 'gsi2',
        partition: { name: 'gsi2pk', prefix: `ACTOR#${suspect.actor}`, shards, legacy: true },
        range: { name: 'gsi2sk', from: window.from, to: `${window.to}~` },
        filters: [{ name: 'actor', equals: suspect.actor }],
        descending: true,
        limit: SOURCE_PAGE,
        ...(cursor ? { cursor } : {}),
      });
      read += page.items.length;
      cursor = page.cursor;
    } while (cursor);
    pagedMs.push(performance.now() - started);
    if (read !== size) throw new Error(`The paged raw read found ${read} entries, not ${size}.`);
    started = performance.now();
    const direct = await rawActorQuery(raw, table, suspect.actor, shards, window);
    queryMs.push(performance.now() - started);
    if (direct !== size) throw new Error(`The raw shard queries found ${direct} entries, not ${size}.`);
  }
  return { entries: size, runs: settings.scopeRuns, pages, jobMs: median(runsMs), jobMaxMs: Math.max(...runsMs), calls: calls!, pagedMs: median(pagedMs), queryMs: median(queryMs) };
}

/** Batches of entries observed one after another, as one stream shard hands them on, with the store calls each made. */
async function measureDetector(env: BenchEnvironment, container: Container, store: CountingStore, bare: Store, settings: IncidentBenchSettings): Promise<IncidentBenchFigures['detector']> {
  const { detectorBatches: count, detectorBatchSize: size } = settings;
  env.log(`incidents: detector over ${count} batches of ${size} entries`);
  // Yesterday 03:00 UTC (11:00 in Shanghai): business hours, in the past.
  const day = new Date(Date.now() - 24 * HOUR_MS);
  const hourStart = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 3);
  const repository = new AuditRepository(bare);
  const batches: AuditEntry[][] = Array.from({ length: count }, (_, b) => detectorBatch(b, size, settings.detectorActors, hourStart, settings.detectorBatchesPerHour));
  const records = batches.map((batch) => streamRecords(repository, batch));
  // Warm the conversion path once; the floor is each batch's records converted as the stream consumer does.
  for (const record of records[0]!) auditEntryOfImage(record.dynamodb!.NewImage!);
  const floorMs: number[] = [];
  for (const batch of records) {
    const started = performance.now();
    let converted = 0;
    for (const record of batch) if (auditEntryOfImage(record.dynamodb!.NewImage!)) converted += 1;
    floorMs.push(performance.now() - started);
    if (converted !== batch.length) throw new Error(`Only ${converted} of ${batch.length} stream records are audit entries.`);
  }
  const observed: DetectorBatchFigures[] = [];
  let findings = 0;
  let opened = 0;
  for (const [b, batch] of batches.entries()) {
    const before = store.calls();
    const started = performance.now();
    const result = await container.accessDetector.observe(batch);
    const ms = performance.now() - started;
    observed.push({ opensHour: b % settings.detectorBatchesPerHour === 0, ms, observed: result.observed, calls: storeCallsBetween(before, store.calls()) });
    findings += result.findings.length;
    opened += result.opened.length;
  }
  return { batchSize: size, actors: settings.detectorActors, batchesPerHour: settings.detectorBatchesPerHour, batches: observed, floorMs, findings, opened };
}
