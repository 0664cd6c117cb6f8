import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalApp } from '../local/app.js';
import { signToken } from '../local/tokens.js';
import type { CreateCustomerInput } from '../shared/contexts/customers/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import { createDynamoClient } from '../shared/runtime/index.js';
import { dataTable, physicalTableName } from '../shared/platform/store/tables.js';
import { CountingKeyService, callsBetween, type KeyServiceCalls } from './lib/counting-key-service.js';
import { CustomerBodies } from './lib/customers.js';
import { startLoadGenerator } from './lib/load.js';
import { costRatio, summarize, type Figures, runCleanups } from './lib/measure.js';
import { count, fixed, table, times, type Section } from './lib/report.js';

export interface BenchSettings {
  /** Operations measured per path (create and get). */
  n: number;
  /** Operations in flight at once. */
  concurrency: number;
  /** Operations per path run first and not counted. */
  warmup: number;
  /** Customers the key-service figure spreads its reads over, and how many reads. */
  kmsCustomers: number;
  kmsReads: number;
  /** Whether the per-request access log was on (Powertools log level). */
  accessLogLevel: string | undefined;
}

export interface BenchEnvironment {
  dynamodbEndpoint: string;
  /** The run's temporary data directory: master key and JWT secret live here. */
  dataDir: string;
  log(message: string): void;
}

interface Row {
  operation: string;
  path: string;
  figures: Figures;
}

/**
 * Customer records through the local API against raw DynamoDB calls on the same DynamoDB
 * Local, and key-service calls of a cold instance reading many records.
 */
export async function customerRecordsBenchmark(env: BenchEnvironment, settings: BenchSettings): Promise<Section> {
  const { n, concurrency, warmup } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const masterKeyFile = join(env.dataDir, 'master.key');
  const bodies = new CustomerBodies(warmup + n + settings.kmsCustomers);
  const cleanups: Array<() => Promise<void> | void> = [];

  try {
    // The instance that creates and reads, on this (the main) thread; its key service is counted from the start.
    const keys = new CountingKeyService(LocalKeyService.fromFile(masterKeyFile));
    const appDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => appDynamo.destroy());
    const app = await startLocalApp({
      dataDir: env.dataDir,
      dynamodbEndpoint: env.dynamodbEndpoint,
      tablePrefix: prefix,
      overrides: { keyService: keys, dynamodb: appDynamo },
    });
    cleanups.push(() => app.close());
    const token = await signToken(app.tokenSecret, { sub: 'bench', roles: ['admin'] });

    // The load generators run in worker threads, off the server's event loop (see lib/load.ts).
    env.log('starting the API load worker');
    const api = await startLoadGenerator({ kind: 'api', url: app.url, token });
    cleanups.push(() => api.close());
    const apiCreate = async (createBodies: CreateCustomerInput[]) => api.run({ op: 'api-create', concurrency, bodies: createBodies });
    const apiGet = async (ids: string[]) => (await api.run({ op: 'api-get', concurrency, ids })).timings;

    // Warm up both paths (HTTP connections, JIT on both sides, DynamoDB Local's tables).
    env.log(`warm-up: ${warmup} API creates and gets, ${warmup} raw puts and gets`);
    const warmIds = (await apiCreate(bodies.many(warmup))).ids;
    await apiGet(warmIds);

    // The template of the raw items: a real stored profile, so the sizes match (read once here, not measured).
    const sampleId = warmIds[0];
    if (!sampleId) throw new Error('The warm-up created no customer; set a warm-up of at least 1.');
    const setup = DynamoDBDocumentClient.from(appDynamo, { marshallOptions: { removeUndefinedValues: true } });
    const sample = await setup.send(
      new GetCommand({ TableName: dataTableName, Key: { pk: `CUSTOMER#${sampleId}`, sk: 'PROFILE' }, ConsistentRead: true }),
    );
    const profile = sample.Item;
    if (!profile) throw new Error(`No profile item for ${sampleId} in ${dataTableName}.`);
    const profileBytes = Buffer.byteLength(JSON.stringify(profile), 'utf8');

    env.log('starting the raw DynamoDB load worker');
    const raw = await startLoadGenerator({
      kind: 'dynamodb',
      endpoint: env.dynamodbEndpoint,
      region: 'local',
      tableName: dataTableName,
      template: profile,
    });
    cleanups.push(() => raw.close());
    const rawPut = async (ids: string[]) => (await raw.run({ op: 'raw-put', concurrency, ids })).timings;
    const rawGet = async (ids: string[]) => (await raw.run({ op: 'raw-get', concurrency, ids })).timings;
    const warmRawIds = Array.from({ length: warmup }, () => randomUUID());
    await rawPut(warmRawIds);
    await rawGet(warmRawIds);

    // Measured: creates, then gets, each through the API and raw.
    const createBodies = bodies.many(n);
    const rawIds = Array.from({ length: n }, () => randomUUID());
    const keysBefore = keys.calls();

    env.log(`API create: ${n} x POST /v1/customers, ${concurrency} in flight`);
    const created = await apiCreate(createBodies);
    const apiCreateFigures = summarize(created.timings);
    env.log(`raw create: ${n} x PutItem, ${concurrency} in flight`);
    const rawCreateFigures = summarize(await rawPut(rawIds));
    env.log(`API get: ${n} x GET /v1/customers/{id}, ${concurrency} in flight`);
    const apiGetFigures = summarize(await apiGet(created.ids));
    env.log(`raw get: ${n} x GetItem, ${concurrency} in flight`);
    const rawGetFigures = summarize(await rawGet(rawIds));
    const warmInstanceCalls = callsBetween(keysBefore, keys.calls());

    // Key-service calls: a second, cold instance (as a fresh Lambda) reads records it did not create.
    env.log(`key service: ${settings.kmsCustomers} customers created, then ${settings.kmsReads} GETs on a cold instance`);
    const spreadIds = (await apiCreate(bodies.many(settings.kmsCustomers))).ids;
    const coldKeys = new CountingKeyService(LocalKeyService.fromFile(masterKeyFile));
    const coldDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => coldDynamo.destroy());
    const cold = await startLocalApp({
      dataDir: env.dataDir,
      dynamodbEndpoint: env.dynamodbEndpoint,
      tablePrefix: prefix,
      overrides: { keyService: coldKeys, dynamodb: coldDynamo },
    });
    cleanups.push(() => cold.close());
    // From the same warm API load worker (a long-lived client), on new connections to the fresh instance, no warm-up.
    const coldServer = { url: cold.url, token: await signToken(cold.tokenSecret, { sub: 'bench', roles: ['admin'] }) };
    // Round-robin: every customer is read kmsReads / kmsCustomers times.
    const roundRobin = Array.from({ length: settings.kmsReads }, (_, i) => spreadIds[i % settings.kmsCustomers]!);
    const coldReads = summarize((await api.run({ op: 'api-get', concurrency, ids: roundRobin, server: coldServer })).timings);
    const coldCalls = coldKeys.calls();

    const rows: Row[] = [
      { operation: 'Create', path: 'API `POST /v1/customers`', figures: apiCreateFigures },
      { operation: 'Create', path: 'raw `PutItem`', figures: rawCreateFigures },
      { operation: 'Get', path: 'API `GET /v1/customers/{id}`', figures: apiGetFigures },
      { operation: 'Get', path: 'raw `GetItem` (consistent)', figures: rawGetFigures },
    ];
    return {
      id: 'customer-records',
      title: 'Customer records',
      body: render({
        settings,
        rows,
        createRatio: costRatio(apiCreateFigures, rawCreateFigures),
        getRatio: costRatio(apiGetFigures, rawGetFigures),
        profileBytes,
        warmInstanceCalls,
        coldCalls,
        coldReads,
        keyCache: app.container.config.keyCache,
      }),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

type Ratio = ReturnType<typeof costRatio>;

/** The load generator's own thread's share of the Node CPU column, where the platform tells it. */
function threadShare(rows: Row[]): string {
  if (!rows.every((r) => Number.isFinite(r.figures.threadCpuPerOpMs))) return '';
  const parts = rows.map((r) => `${r.path.split(' ')[0]} ${r.operation.toLowerCase()} ${fixed(r.figures.threadCpuPerOpMs, 2)}`);
  return `
Of it, the load generator's own thread used (ms per operation) ${parts.slice(0, -1).join(', ')} and ${parts.at(-1)};
the rest is the API server's thread and Node's shared helper threads (garbage collection, the libuv pool).`;
}

function render(input: {
  settings: BenchSettings;
  rows: Row[];
  createRatio: Ratio;
  getRatio: Ratio;
  profileBytes: number;
  warmInstanceCalls: KeyServiceCalls;
  coldCalls: KeyServiceCalls;
  coldReads: Figures;
  keyCache: { maxEntries: number; ttlMs: number };
}): string {
  const { settings, rows, createRatio, getRatio, warmInstanceCalls, coldCalls } = input;
  const figureRow = (r: Row) => [
    r.operation,
    r.path,
    count(r.figures.count),
    fixed(r.figures.opsPerSec, 0),
    fixed(r.figures.p50Ms, 2),
    fixed(r.figures.p99Ms, 2),
    fixed(r.figures.cpuPerOpMs, 2),
  ];
  const ratioRow = (operation: string, r: Ratio) => [operation, '**API ÷ raw**', '', times(r.opsPerSec), times(r.p50Ms), times(r.p99Ms), times(r.cpuPerOpMs)];
  const figures = table(
    ['Operation', 'Path', 'Ops', 'ops/s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)'],
    [
      figureRow(rows[0]!),
      figureRow(rows[1]!),
      ratioRow('Create', createRatio),
      figureRow(rows[2]!),
      figureRow(rows[3]!),
      ratioRow('Get', getRatio),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
  );

  const measuredRequests = 2 * settings.n;
  const perThousand = (calls: number, requests: number) => fixed((calls * 1000) / requests, 1);
  const kms = table(
    ['Instance', 'Requests', 'generateDataKey', 'decryptDataKey', 'Total', 'Per 1,000 requests'],
    [
      [
        `Warm: the measured creates and gets above`,
        `${count(settings.n)} creates + ${count(settings.n)} gets`,
        count(warmInstanceCalls.generateDataKey),
        count(warmInstanceCalls.decryptDataKey),
        count(warmInstanceCalls.total),
        perThousand(warmInstanceCalls.total, measuredRequests),
      ],
      [
        `Cold: a second instance reading ${count(settings.kmsCustomers)} customers it did not create`,
        `${count(settings.kmsReads)} gets`,
        count(coldCalls.generateDataKey),
        count(coldCalls.decryptDataKey),
        count(coldCalls.total),
        perThousand(coldCalls.total, settings.kmsReads),
      ],
    ],
    ['l', 'l', 'r', 'r', 'r', 'r'],
  );

  const getWithin = getRatio.p50Ms <= 1.5;
  const p99Within = getRatio.p99Ms <= 1.5;
  // "Far fewer than one per read": at most one per customer read, plus the index key.
  const kmsBound = settings.kmsCustomers + 1;
  const kmsWithin = coldCalls.total <= kmsBound;
  const coldPerRead = coldCalls.total / settings.kmsReads;

  return `
Settings: N = ${count(settings.n)} operations per path, ${settings.concurrency} in flight, ${settings.warmup} warm-up operations per path first (not counted);
key-service figure: ${count(settings.kmsReads)} reads round-robin over ${count(settings.kmsCustomers)} customers.
DynamoDB Local in memory, in the same run; the API on the local HTTP runtime (\`local/app.ts\`) on the main thread, the local key service counted;
the load from worker threads (\`bench/lib/load.ts\`).
Profile item: ${count(input.profileBytes)} bytes as JSON. Access log level during the run: ${settings.accessLogLevel ?? 'default (INFO)'}.

${figures}

In the **API ÷ raw** rows every column reads as "times the raw cost": latency and CPU are API ÷ raw, throughput is raw ops/s ÷ API ops/s.
Node CPU/op is the CPU time of the whole Node process (every thread) over the phase divided by its operations: it holds the
load generator's worker thread (\`fetch\` or the SDK call) as well as the API server's main thread, but not DynamoDB Local's (a separate JVM).${threadShare(rows)}

Key-service (KMS) calls, key cache on (at most ${count(input.keyCache.maxEntries)} keys, ${fixed(input.keyCache.ttlMs / 60_000, 0)} min each):

${kms}

The cold instance answered its ${count(settings.kmsReads)} reads at ${fixed(input.coldReads.opsPerSec, 0)} ops/s (p50 ${fixed(input.coldReads.p50Ms, 2)} ms, p99 ${fixed(input.coldReads.p99Ms, 2)} ms).

**How to read it.** The API path is what a client sees: HTTP over loopback, the middy middleware stack, JWT verification,
request validation, sealing (create) or unsealing (get) of the personal fields, and the DynamoDB calls the service makes —
for a get one consistent \`GetItem\` of the profile, as the raw get does, and then the audit entry's conditional \`PutItem\`
(every read of personal data is audited before it is answered; the *Audit trail* section measures the same get without it);
for a create a \`BatchGetItem\` of the contact guards, an \`UpdateItem\` of the customer-number counter and a six-item
\`TransactWriteItems\` (key, profile, history, two guards, audit entry),
against one plain \`PutItem\` on the raw side, so the create ratio is expected to be well above the get ratio.
The load generators run in worker threads, off the server's event loop, as a remote client would: one thread per target runs
the concurrent loop and times every operation, so the raw path is worker → DynamoDB Local and the API path is worker → API server
(main thread) → DynamoDB Local, and the difference between the two is what the API layer adds. The threads still share the
machine's cores with each other and with DynamoDB Local (a JVM on the same machine), so absolute figures are not AWS latencies;
compare ratios between runs.
The expectation is that an API get stays within 1.5× of a raw get and that, with the key cache on, the key service is
called far less than once per read.
Measured: the API get's p50 is ${times(getRatio.p50Ms)} a raw get's (p99 ${times(getRatio.p99Ms)}, throughput ${times(getRatio.opsPerSec)}), so the p50 ${getWithin ? '**meets**' : '**does not meet**'} the 1.5× expectation${getWithin === p99Within ? (p99Within ? ' and the p99 meets it too' : ' and neither does the p99') : p99Within ? ' while the p99 does' : ' though the p99 does not'}.
The cold instance made ${count(coldCalls.total)} key-service calls for ${count(settings.kmsReads)} reads over ${count(settings.kmsCustomers)} customers (${fixed(coldPerRead, 2)} per read), which ${kmsWithin ? '**meets**' : '**does not meet**'} the expectation of about one call per customer (at most ${count(kmsBound)} with the index key), far fewer than one per read.
`;
}
