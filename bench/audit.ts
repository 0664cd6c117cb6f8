import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHandlers } from '../functions/handlers.js';
import { routeTable } from '../functions/routes.js';
import { localConfig, startLocalApp, tokenSecretPath } from '../local/app.js';
import { createLocalApi } from '../local/server.js';
import { loadTokenSecret, signToken } from '../local/tokens.js';
import { AuditKeys, AuditRepository, AuditTrail, defaultAuditOptions, verifyLinks, type AuditEntry, type VerificationReport } from '../shared/platform/audit/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import { CustomerRepository, CustomerService } from '../shared/contexts/customers/index.js';
import { systemClock, type Store } from '../shared/platform/ports/index.js';
import { createContainer, createDynamoClient, type Container } from '../shared/runtime/index.js';
import { DynamoStore } from '../shared/platform/store/index.js';
import type { BenchEnvironment } from './customer-records.js';
import { CountingStore, storeCallsBetween, type StoreCalls, addCalls } from './lib/counting-store.js';
import { CustomerBodies } from './lib/customers.js';
import { startLoadGenerator, type ApiServer } from './lib/load.js';
import { mergeTimings, summarize, threadCpuMs, type Figures, type Timings, runCleanups } from './lib/measure.js';
import { count, fixed, table, times, type Section } from './lib/report.js';

export interface AuditBenchSettings {
  /** GETs measured on each instance (audited and unaudited). */
  n: number;
  /** Requests in flight at once: the customer-records benchmark's. */
  concurrency: number;
  /** Customers created for the run; every GET reads one of them, round-robin. */
  customers: number;
  /** The measured GETs run in this many rounds per instance, alternating which goes first. */
  rounds: number;
  /** Entries the trail must hold when verified: audited GETs are added until it does. */
  verifyEntries: number;
}

/**
 * The audit trail with the read entry left out: `record` (what `CustomerService.get` calls
 * alongside the read) does nothing. Changes (`commit`) are still audited; the unaudited
 * instance serves only GETs.
 */
class UnauditedTrail extends AuditTrail {
  override async record(): Promise<void> {}
}

const localAuditKeys = (dataDir: string) => {
  const { keys } = localConfig({ dataDir, dynamodbEndpoint: '' });
  if (keys.provider !== 'local') throw new Error('The local app keys with a key file.');
  return new AuditKeys(LocalKeyService.fromFile(keys.keyFile));
};

interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/**
 * A second local app on the same tables, wired as `startLocalApp` wires one, except that
 * its CustomerService gets an `UnauditedTrail`. Built from the public constructors
 * (`createContainer`, `CustomerService`, `createHandlers`, `createLocalApi`), so no
 * production code is touched or patched at run time; if CustomerService's dependencies
 * change, this stops compiling rather than measuring something else.
 */
async function startUnauditedApp(options: {
  dataDir: string;
  dynamodbEndpoint: string;
  tablePrefix: string;
  dynamodb: DynamoDBClient;
  store: Store;
}): Promise<RunningApp> {
  const { store } = options;
  const config = localConfig(options);
  const base = createContainer(config, { dynamodb: options.dynamodb, store });
  const customers = new CustomerService(
    {
      repository: new CustomerRepository(store),
      keys: base.keys,
      clock: systemClock,
      // The same audit key as the audited app (the same master key file): its commits verify alike.
      audit: new UnauditedTrail({ repository: new AuditRepository(store), store, clock: systemClock, keys: localAuditKeys(options.dataDir) }),
      onIntegrityFailure: () => undefined,
    },
    { reviewIntervals: config.reviewIntervals, idempotencyTtlSeconds: config.idempotencyTtlSeconds },
  );
  const container: Container = { ...base, customers };
  const server = createLocalApi({
    routes: routeTable,
    handlers: await createHandlers(container),
    tokenSecret: loadTokenSecret(tokenSecretPath(options.dataDir)),
    corsOrigins: config.corsOrigins,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface Instance {
  name: string;
  figures: Figures;
  calls: StoreCalls;
}

interface Verification {
  label: string;
  /** The calls' reports summed: entries and subjects over all pages, ok if every page was. */
  report: VerificationReport;
  /** Calls it took (each at most `verifyPageEntries` entries, continued by its `next` cursor). */
  calls: number;
  longestCallSeconds: number;
  seconds: number;
  cpuMs: number;
  queries: number;
}

/**
 * The audit trail: what the audit entry adds to a read (the same GETs on an instance that
 * writes none), and how fast a verification reads and checks the trail afterwards.
 */
export async function auditTrailBenchmark(env: BenchEnvironment, settings: AuditBenchSettings): Promise<Section> {
  const { n, concurrency, rounds } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const bodies = new CustomerBodies(settings.customers);
  const cleanups: Array<() => Promise<void> | void> = [];

  try {
    // One DynamoDB client and one counting store per instance, on the same tables.
    const auditedDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => auditedDynamo.destroy());
    const auditedStore = new CountingStore(new DynamoStore(auditedDynamo, prefix));
    const audited = await startLocalApp({
      dataDir: env.dataDir,
      dynamodbEndpoint: env.dynamodbEndpoint,
      tablePrefix: prefix,
      overrides: { dynamodb: auditedDynamo, store: auditedStore },
    });
    cleanups.push(() => audited.close());

    const unauditedDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => unauditedDynamo.destroy());
    const unauditedStore = new CountingStore(new DynamoStore(unauditedDynamo, prefix));
    const unaudited = await startUnauditedApp({
      dataDir: env.dataDir,
      dynamodbEndpoint: env.dynamodbEndpoint,
      tablePrefix: prefix,
      dynamodb: unauditedDynamo,
      store: unauditedStore,
    });
    cleanups.push(() => unaudited.close());

    // Both instances read the token secret from the same data directory: one token serves both.
    const token = await signToken(audited.tokenSecret, { sub: 'bench', roles: ['admin'] });
    const servers: Record<'audited' | 'unaudited', ApiServer> = {
      audited: { url: audited.url, token },
      unaudited: { url: unaudited.url, token },
    };

    env.log('starting the API load worker (audit trail)');
    const api = await startLoadGenerator({ kind: 'api', url: audited.url, token });
    cleanups.push(() => api.close());
    const get = async (server: ApiServer, ids: string[]): Promise<Timings> =>
      (await api.run({ op: 'api-get', concurrency, ids, server })).timings;

    // The verification window opens before the first entry of this run's tables.
    const from = new Date().toISOString();
    let entriesWritten = 0;

    env.log(`audit trail: ${settings.customers} customers created`);
    const ids = (await api.run({ op: 'api-create', concurrency, bodies: bodies.many(settings.customers) })).ids;
    entriesWritten += ids.length;
    const readsFrom = (start: number, length: number) => Array.from({ length }, (_, i) => ids[(start + i) % ids.length]!);

    // Warm-up: each instance reads every customer once (connections, JIT, and its key cache).
    env.log(`audit trail warm-up: ${ids.length} GETs on each instance`);
    await get(servers.audited, ids);
    entriesWritten += ids.length;
    await get(servers.unaudited, ids);

    // Measured: the same ids on both, in alternating rounds (A B, B A, ...) so drift in the
    // machine's load falls on both alike.
    env.log(`audit trail: ${n} GETs on each instance in ${rounds} rounds, ${concurrency} in flight`);
    const perRound = Math.ceil(n / rounds);
    const timings: Record<'audited' | 'unaudited', Timings[]> = { audited: [], unaudited: [] };
    const calls: Record<'audited' | 'unaudited', StoreCalls[]> = { audited: [], unaudited: [] };
    const stores = { audited: auditedStore, unaudited: unauditedStore };
    for (let round = 0, done = 0; done < n; round++) {
      const length = Math.min(perRound, n - done);
      const roundIds = readsFrom(done, length);
      const order = round % 2 === 0 ? (['audited', 'unaudited'] as const) : (['unaudited', 'audited'] as const);
      for (const which of order) {
        const before = stores[which].calls();
        timings[which].push(await get(servers[which], roundIds));
        calls[which].push(storeCallsBetween(before, stores[which].calls()));
      }
      done += length;
    }
    entriesWritten += n;
    const sumCalls = (list: StoreCalls[]) => list.reduce(addCalls);
    const instances: Instance[] = (['audited', 'unaudited'] as const).map((which) => ({
      name: which,
      figures: summarize(mergeTimings(timings[which])),
      calls: sumCalls(calls[which]),
    }));

    // More audited reads until the trail holds enough entries to verify.
    const fill = Math.max(0, settings.verifyEntries - entriesWritten);
    if (fill > 0) {
      env.log(`audit trail: ${fill} more audited GETs, so the trail holds ${settings.verifyEntries} entries`);
      await get(servers.audited, readsFrom(0, fill));
      entriesWritten += fill;
    }
    const to = new Date().toISOString();

    // Verification: the service directly (not HTTP), twice: the first after the load, then again warm.
    const verifications: Verification[] = [];
    for (const label of ['First', 'Again (warm)']) {
      env.log(`audit trail: verifying ${from} .. ${to} (${label.toLowerCase()})`);
      verifications.push(await timeVerification(label, audited.container, auditedStore, { from, to }));
    }
    const checked = verifications[0]!.report.entriesChecked;
    if (checked < 5000) throw new Error(`The verification checked only ${checked} entries; at least 5,000 were planned.`);

    // The in-memory part alone: MACs and links of the same entries, with no reads.
    const entries = await chainEntries(new AuditRepository(auditedStore));
    const chainKey = await localAuditKeys(env.dataDir).key('chain');
    const linkStarted = performance.now();
    for (const chain of entries) verifyLinks(chainKey, chain);
    const linkMs = performance.now() - linkStarted;
    const linkEntries = entries.reduce((sum, chain) => sum + chain.length, 0);

    return {
      id: 'audit-trail',
      title: 'Audit trail',
      body: render({
        settings,
        instances,
        entriesWritten,
        fill,
        verifications,
        chains: entries.length,
        chainSizes: entries.map((chain) => chain.length),
        linkMs,
        linkEntries,
      }),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}


async function timeVerification(
  label: string,
  container: Container,
  store: CountingStore,
  window: { from: string; to: string },
): Promise<Verification> {
  const before = store.calls();
  const cpu = threadCpuMs();
  const started = performance.now();
  // As a client of POST /v1/audit/verify does: call again with `next` until there is none.
  let report: VerificationReport | undefined;
  let cursor: string | undefined;
  let calls = 0;
  let longestCallSeconds = 0;
  do {
    const callStarted = performance.now();
    const page: VerificationReport = await container.audit.verify(window, container.subjects, cursor);
    longestCallSeconds = Math.max(longestCallSeconds, (performance.now() - callStarted) / 1000);
    calls += 1;
    report = report
      ? {
          ...page,
          entriesChecked: report.entriesChecked + page.entriesChecked,
          subjectsChecked: report.subjectsChecked + page.subjectsChecked,
          legacyEntries: report.legacyEntries + page.legacyEntries,
        }
      : page;
    cursor = page.ok ? page.next : undefined;
  } while (cursor);
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = threadCpuMs() - cpu;
  return { label, report, calls, longestCallSeconds, seconds, cpuMs, queries: storeCallsBetween(before, store.calls()).query };
}

/** Every entry of every chain of this run's trail (the container's default chains), in sequence order. */
async function chainEntries(repository: AuditRepository): Promise<AuditEntry[][]> {
  const chains: AuditEntry[][] = [];
  for (let chain = 0; chain < defaultAuditOptions.chains; chain++) {
    const head = await repository.head(chain);
    if (head) chains.push(await repository.chainRange(chain, 1, head.seq));
  }
  return chains;
}

const rate = (value: number): string => (Number.isFinite(value) ? count(Math.round(value)) : 'n/a');

function render(input: {
  settings: AuditBenchSettings;
  instances: Instance[];
  entriesWritten: number;
  fill: number;
  verifications: Verification[];
  chains: number;
  chainSizes: number[];
  linkMs: number;
  linkEntries: number;
}): string {
  const { settings, instances, verifications } = input;
  const [withAudit, without] = instances as [Instance, Instance];
  const ratio = (a: number, b: number) => times(a / b);
  const perGet = (value: number, instance: Instance) => fixed(value / instance.figures.count, 2);
  const row = (label: string, i: Instance) => [
    label,
    count(i.figures.count),
    fixed(i.figures.opsPerSec, 0),
    fixed(i.figures.p50Ms, 2),
    fixed(i.figures.p99Ms, 2),
    fixed(i.figures.cpuPerOpMs, 2),
    perGet(i.calls.total, i),
  ];
  const figures = table(
    ['Instance', 'GETs', 'ops/s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)', 'Store calls/GET'],
    [
      row('Audited (the app as shipped)', withAudit),
      row('Unaudited (`UnauditedTrail`)', without),
      [
        '**audited ÷ unaudited**',
        '',
        ratio(withAudit.figures.opsPerSec, without.figures.opsPerSec),
        ratio(withAudit.figures.p50Ms, without.figures.p50Ms),
        ratio(withAudit.figures.p99Ms, without.figures.p99Ms),
        ratio(withAudit.figures.cpuPerOpMs, without.figures.cpuPerOpMs),
        ratio(withAudit.calls.total, without.calls.total),
      ],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  const c = withAudit.calls;
  const verifyTable = table(
    ['Verification', 'Entries checked', 'OK', 'Calls', 'Longest call (s)', 'Store queries', 'Seconds', 'Entries/s', 'Main-thread CPU (ms)'],
    verifications.map((v) => [
      v.label,
      count(v.report.entriesChecked),
      v.report.ok ? 'yes' : `**no**: ${v.report.firstFailure?.detail ?? ''}`,
      count(v.calls),
      fixed(v.longestCallSeconds, 2),
      count(v.queries),
      fixed(v.seconds, 2),
      rate(v.report.entriesChecked / v.seconds),
      fixed(v.cpuMs, 0),
    ]),
    ['l', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const first = verifications[0]!;
  const warm = verifications.at(-1)!;
  const linkRate = input.linkEntries / (input.linkMs / 1000);

  return `
Settings: ${count(settings.n)} GETs per instance, ${settings.concurrency} in flight (as in the customer-records section), over ${count(settings.customers)} customers
created for this section and read round-robin; the GETs ran in ${settings.rounds} rounds per instance, alternating which instance went first,
after one unmeasured read of every customer on each. Both instances are local HTTP apps on the main thread, on the same DynamoDB Local
tables, loaded from the same worker thread (\`bench/lib/load.ts\`), each with its own DynamoDB client and a call-counting store (\`bench/lib/counting-store.ts\`).

The unaudited instance is wired by \`bench/audit.ts\` from the same public constructors \`startLocalApp\` uses (\`createContainer\`,
\`createHandlers\`, \`createLocalApi\`), with its \`CustomerService\` given an \`UnauditedTrail\` — an \`AuditTrail\` subclass whose \`record\` does nothing — so no production code is changed or patched at run time.

${figures}

In the ratio row every column is audited ÷ unaudited, throughput included (below 1× means the audited instance answers fewer GETs per second).
Node CPU/op is the whole Node process (both servers' main thread, the load worker, helper threads) over the phase, per GET.
Per audited GET the store was called for ${perGet(c.get, withAudit)} \`GetItem\`, ${perGet(c.query, withAudit)} \`Query\` (an audit chain's head, read when the process does not hold it) and
${perGet(c.transact, withAudit)} \`TransactWriteItems\` (the entry, conditional on its sequence number); ${count(c.auditConflicts)} of the ${count(c.transact)} transactions
(${fixed((100 * c.auditConflicts) / Math.max(1, c.transact), 1)} %) lost the race for their chain's next number and were retried after a back-off,
${fixed(100 * (c.auditConflicts / withAudit.figures.count), 1)} retries per 100 GETs with ${settings.concurrency} in flight over ${input.chains} chains.
The unaudited instance made ${perGet(without.calls.total, without)} store call per GET.

**Verification.** After those GETs, ${count(input.fill)} more audited GETs brought the trail to ${count(input.entriesWritten)} entries written in the window
(${count(settings.customers)} creates, ${count(settings.customers)} warm-up and ${count(settings.n)} measured reads, and those ${count(input.fill)}, all on the audited instance).
\`container.audit.verify({ from, to }, subjects, cursor)\` over the window of this section, called on the service directly (no HTTP) as a client
of \`POST /v1/audit/verify\` calls it: again with the answer's \`next\` until there is none (at most ${count(defaultAuditOptions.verifyPageEntries)} entries per call), with the container's
subject resolvers (${count(first.report.subjectsChecked)} subjects checked: customer reads fix no content), ${first.report.entriesChecked === input.entriesWritten ? 'checked every one of them' : `checked ${count(first.report.entriesChecked)} of them (**not** the ${count(input.entriesWritten)} written)`}:

${verifyTable}

The trail had ${input.chains} chains of ${count(Math.min(...input.chainSizes))} to ${count(Math.max(...input.chainSizes))} entries. Verification first compares every chain's head with
the latest checkpoint (if any), then for each chain reads the first and last sequence numbers in the window from \`gsi3\` (one item each)
and that sequence range (plus the entry before) from the table in queries of at most 500, one chain after another,
recomputing each entry's HMAC-SHA256 and checking its link. That in-memory part alone, over the same ${count(input.linkEntries)} entries,
took ${fixed(input.linkMs, 1)} ms (${rate(linkRate)} entries/s), so reading dominates: the first verification ran at
${rate(first.report.entriesChecked / first.seconds)} entries/s and the warm one at ${rate(warm.report.entriesChecked / warm.seconds)} entries/s against DynamoDB Local.
`;
}
