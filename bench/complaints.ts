import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localConfig } from '../local/app.js';
import { ComplaintRepository, ComplaintStats, type Complaint, type CreateComplaintInput } from '../shared/contexts/complaints/index.js';
import { addDays, localDate } from '../shared/contexts/complaints/stats.js';
import { resolveView } from '../shared/contexts/customers/index.js';
import type { AuditContext } from '../shared/platform/audit/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import { DynamoStore, ensureTables } from '../shared/platform/store/index.js';
import { dataTable, physicalTableName } from '../shared/platform/store/tables.js';
import { createContainer, createDynamoClient } from '../shared/runtime/index.js';
import type { BenchEnvironment } from './customer-records.js';
import {
  batchPut,
  complaintCopy,
  complaintTemplates,
  dayCounters,
  intakeFloor,
  isOverdueCopy,
  rawBatchGet,
  rawOverdueQuery,
  seedStats,
  statsKeys,
} from './lib/complaint-items.js';
import { renderComplaints, type SizeRun } from './lib/complaint-report.js';
import { addCalls, CountingStore, storeCallsBetween, type StoreCalls } from './lib/counting-store.js';
import { CustomerBodies } from './lib/customers.js';
import { mergeTimings, runCleanups, runConcurrent, summarize, type Figures, type Timings } from './lib/measure.js';
import type { Section } from './lib/report.js';

export interface ComplaintBenchSettings {
  /** Intakes measured on each path (`BENCH_COMPLAINTS_N`). */
  intakes: number;
  /** Intakes in flight at once: the other sections' concurrency. */
  concurrency: number;
  /** Customers the complaints belong to; one intake for each is the unmeasured warm-up. */
  customers: number;
  /** Raw intake floors run first and not counted. */
  warmup: number;
  /** Complaints stored when the listing and the report are timed, smaller first. */
  sizes: number[];
  /** Share of the stored complaints that are overdue. */
  overdueShare: number;
  /** Listings (and raw queries) timed per size, and reports (and raw batch reads) per size; one at a time. */
  lists: number;
  reports: number;
  /** Reads of each kind run unmeasured at each size first. */
  readWarmup: number;
  /** The report's range: local days from `reportFrom`, by week. */
  reportFrom: string;
  reportDays: number;
}

const LIST_LIMIT = 50;
const SUBJECT = '快递延误三天，客服承诺的回电一直没有等到';
const DESCRIPTION =
  '订单 2026-0042 原定周一送达，到周四仍显示“运输中”。我周二打过客服热线，对方说当天会回电，但一直没有人联系我。这批货是给客户的样品，延误已经影响了我们的合作。请尽快告诉我包裹现在在哪里、什么时候能送到。';
const DESIRED = '尽快送达，并对延误给出书面说明。';

/**
 * Complaints on one container wired by `createContainer`, against raw DynamoDB calls of the
 * same items: the intake beside one `TransactWriteItems` of what it writes; the overdue
 * listing beside one `Query` of one shard of its index; the quarter's report beside one
 * `BatchGetItem` sweep of its day counters, at two population sizes, to show that neither read
 * grows with the number of complaints stored.
 */
export async function complaintsBenchmark(env: BenchEnvironment, settings: ComplaintBenchSettings): Promise<Section> {
  const { concurrency } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const dynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => dynamo.destroy());
    await ensureTables(dynamo, prefix);
    const store = new CountingStore(new DynamoStore(dynamo, prefix));
    const config = localConfig({ dataDir: env.dataDir, dynamodbEndpoint: env.dynamodbEndpoint, tablePrefix: prefix });
    const keyService = LocalKeyService.fromFile(join(env.dataDir, 'master.key'));
    // Events (ComplaintEscalated is the only one complaints publish) go nowhere; notices go to the local outbox.
    const container = createContainer(config, { dynamodb: dynamo, store, keyService, events: { publish: async () => undefined } });
    const shards = config.indexShards.complaints;
    const repository = new ComplaintRepository(store, shards);
    const rawDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => rawDynamo.destroy());
    const raw = DynamoDBDocumentClient.from(rawDynamo, { marshallOptions: { removeUndefinedValues: true } });

    // ---- Customers, and one intake each (the warm-up and the templates) ----
    env.log(`complaints: ${settings.customers} customers, one intake each (warm-up)`);
    const { view, purpose } = resolveView('admin');
    const bodies = new CustomerBodies(settings.customers);
    const customerIds = new Array<string>(settings.customers);
    await runConcurrent(settings.customers, concurrency, async (i) => {
      customerIds[i] = (await container.customers.create(bodies.next(), { actor: { id: 'bench', role: 'admin' }, purpose }, view)).customer.id;
    });
    const agent = (): AuditContext => ({ actor: { id: 'bench-agent', role: 'agent' }, purpose: 'complaint-handling' });
    const input = (i: number): CreateComplaintInput => ({
      customerId: customerIds[i % customerIds.length]!,
      channel: 'phone',
      category: 'delivery',
      severity: 'medium',
      subject: SUBJECT,
      description: DESCRIPTION,
      desiredOutcome: DESIRED,
    });
    const firsts = new Array<{ customerId: string; id: string }>(settings.customers);
    const taken: Complaint[] = [];
    await runConcurrent(settings.customers, concurrency, async (i) => {
      const { complaint } = await container.complaints.create(input(i), agent());
      firsts[i] = { customerId: complaint.customerId, id: complaint.id };
      taken.push(complaint);
    });
    const firstComplaint = taken[0];
    if (!firstComplaint) throw new Error('The warm-up took in no complaint.');
    const templates = await complaintTemplates(raw, prefix, firsts, (customerId) => container.keys.get(customerId));
    const policies = await container.complaintPolicies.current();
    const timeZone = policies.calendar.timeZone;
    const counters = new ComplaintStats({ shards }).counters(undefined, firstComplaint, new Date(), policies);
    const floor = intakeFloor(raw, templates, repository, counters, localDate(new Date(), timeZone));
    const rawIntakes = async (count: number) => {
      const inputs = Array.from({ length: count }, floor.build);
      return runConcurrent(count, concurrency, (i) => floor.send(inputs[i]!));
    };
    await rawIntakes(settings.warmup);
    let stored = settings.customers + settings.warmup;

    // ---- Intake: in process, and its floor; rounds in turning order ----
    env.log(`complaints: ${settings.intakes} intakes in process and ${settings.intakes} raw, ${concurrency} in flight`);
    let next = 0;
    const serviceIntakes = (count: number) => runConcurrent(count, concurrency, async () => void (await container.complaints.create(input(next++), agent())));
    const paths: Array<[string, (count: number) => Promise<Timings>]> = [
      ['service', serviceIntakes],
      ['raw', rawIntakes],
    ];
    const runs = new Map<string, Timings[]>(paths.map(([path]) => [path, []]));
    let intakeCalls: StoreCalls | undefined;
    const rounds = roundSizes(settings.intakes, 4);
    for (const [round, size] of rounds.entries()) {
      for (let k = 0; k < paths.length; k++) {
        const [path, run] = paths[(round + k) % paths.length]!;
        const before = store.calls();
        runs.get(path)!.push(await run(size));
        if (path === 'service') intakeCalls = add(intakeCalls, storeCallsBetween(before, store.calls()));
      }
    }
    stored += 2 * settings.intakes;
    const intake = { service: summarize(mergeTimings(runs.get('service')!)), raw: summarize(mergeTimings(runs.get('raw')!)), calls: intakeCalls! };

    // ---- The overdue listing and the report at each size ----
    const days = Array.from({ length: settings.reportDays }, (_, i) => addDays(settings.reportFrom, i));
    const reportTo = days[days.length - 1]!;
    const keys = statsKeys(days, shards);
    const sizes: SizeRun[] = [];
    let overdue = 0;
    for (const size of settings.sizes) {
      // More intakes than the population (a large BENCH_COMPLAINTS_N): nothing to add, the table holds what they stored.
      const target = Math.max(size, stored);
      env.log(`complaints: seeding ${target - stored} more complaints (${Math.round(settings.overdueShare * 100)} % overdue) and the quarter's counters for ${size}`);
      const seedStarted = performance.now();
      const now = Date.now();
      const from = stored;
      await batchPut(raw, dataTableName, target - from, (k) => complaintCopy(templates, repository, from + k, isOverdueCopy(from + k, settings.overdueShare), now));
      for (let i = from; i < target; i++) if (isOverdueCopy(i, settings.overdueShare)) overdue += 1;
      const complaintsSeconds = (performance.now() - seedStarted) / 1000;
      env.log(`complaints: ${target - from} seeded in ${complaintsSeconds.toFixed(1)} s (${Math.round((target - from) / Math.max(0.001, complaintsSeconds))}/s)`);
      stored = target;
      await seedStats(raw, dataTableName, days, shards, stored);
      const seedSeconds = (performance.now() - seedStarted) / 1000;

      env.log(`complaints: ${settings.lists} overdue listings and ${settings.reports} reports over ${size} complaints, each beside its raw floor`);
      let shard = 0;
      let queryItems = 0;
      const timed: Record<'list' | 'query' | 'report' | 'batchGet', Timings[]> = { list: [], query: [], report: [], batchGet: [] };
      const calls = { list: undefined as StoreCalls | undefined, report: undefined as StoreCalls | undefined };
      const ops: Array<['list' | 'query' | 'report' | 'batchGet', number, () => Promise<void>]> = [
        ['list', settings.lists, async () => {
          const page = await container.complaints.list({ overdue: 'true', limit: LIST_LIMIT }, agent());
          if (page.items.length !== LIST_LIMIT || page.items.some((c) => c.integrity || !Object.values(c.milestones).some((m) => m.state === 'missed'))) {
            throw new Error(`The overdue listing answered ${page.items.length} complaints, not ${LIST_LIMIT} overdue ones that open.`);
          }
        }],
        ['query', settings.lists, async () => {
          const found = await rawOverdueQuery(raw, dataTableName, shard++ % shards, LIST_LIMIT);
          // A shard holds about overdue ÷ shards items: fewer than a page only in a small population.
          if (found === 0) throw new Error('A raw query of an overdue shard answered no items.');
          queryItems += found;
        }],
        ['report', settings.reports, async () => {
          const report = await container.complaintReports.report({ from: settings.reportFrom, to: reportTo, interval: 'week' });
          if (report.totals.received !== stored) throw new Error(`The report counted ${report.totals.received} complaints received, not ${stored}.`);
        }],
        ['batchGet', settings.reports, async () => {
          const found = await rawBatchGet(raw, dataTableName, keys);
          if (found !== keys.length) throw new Error(`The raw batch read found ${found} of ${keys.length} counter items.`);
        }],
      ];
      // A few unmeasured first (the first reads of a size run cold), then two rounds, the second in the other order, one operation at a time.
      for (const [, , op] of ops) await runConcurrent(settings.readWarmup, 1, op);
      for (const order of [ops, [...ops].reverse()]) {
        for (const [name, count, op] of order) {
          const before = store.calls();
          timed[name].push(await runConcurrent(Math.ceil(count / 2), 1, op));
          if (name === 'list' || name === 'report') calls[name] = add(calls[name], storeCallsBetween(before, store.calls()));
        }
      }
      const figures = (name: keyof typeof timed): Figures => summarize(mergeTimings(timed[name]));
      sizes.push({
        size: stored,
        overdue,
        seedSeconds,
        list: figures('list'),
        query: figures('query'),
        queryItems: queryItems / Math.max(1, figures('query').count),
        report: figures('report'),
        batchGet: figures('batchGet'),
        listCalls: calls.list!,
        reportCalls: calls.report!,
      });
    }

    return {
      id: 'complaints',
      title: 'Complaints',
      body: renderComplaints({
        settings,
        shards,
        intake,
        sizes,
        statsItems: keys.length,
        reportTo,
        complaintBytes: Buffer.byteLength(JSON.stringify(templates.complaints[0]), 'utf8'),
        texts: { subject: SUBJECT.length, description: DESCRIPTION.length },
        counterNames: Object.keys(dayCounters(1)).length,
        intakeCounters: Object.keys(counters).length,
        limit: LIST_LIMIT,
      }),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

const add = (a: StoreCalls | undefined, b: StoreCalls): StoreCalls => (a ? addCalls(a, b) : b);

/** `n` split into at most `rounds` near-equal sizes, none empty. */
function roundSizes(n: number, rounds: number): number[] {
  const count = Math.max(1, Math.min(rounds, n));
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 1) * n) / count) - Math.floor((i * n) / count));
}
