import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalApp } from '../local/app.js';
import { signToken } from '../local/tokens.js';
import { resolveView, type CreateCustomerInput } from '../shared/contexts/customers/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import { createDynamoClient, type Container } from '../shared/runtime/index.js';
import { dataTable, physicalTableName } from '../shared/platform/store/tables.js';
import { CountingKeyService, callsBetween } from './lib/counting-key-service.js';
import { renderCustomerRecords, type CreatePath, type GetPath } from './lib/customer-records-report.js';
import { CustomerBodies } from './lib/customers.js';
import { floorTemplates } from './lib/floor-templates.js';
import { startLoadGenerator } from './lib/load.js';
import { mergeTimings, runCleanups, runConcurrent, summarize, type Figures, type Timings } from './lib/measure.js';
import type { Section } from './lib/report.js';

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

/**
 * Customer records through the local API against their floors on the same DynamoDB Local:
 * an audited read against a raw `GetItem` and the audit entry's conditional `PutItem` sent
 * in parallel; a create against one raw transaction of the six items it writes. The paths
 * run interleaved, in rounds, so that drift in the machine's load reaches them alike, and
 * a breakdown shows where the time goes. Then the key-service calls of a cold instance.
 */
export async function customerRecordsBenchmark(env: BenchEnvironment, settings: BenchSettings): Promise<Section> {
  const { n, concurrency, warmup } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const masterKeyFile = join(env.dataDir, 'master.key');
  // Creates through the API and in process, warm-up and measured, and the cold instance's customers.
  const bodies = new CustomerBodies(2 * (warmup + n) + settings.kmsCustomers);
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
    // The same service the API's handlers call, from this thread, without HTTP: what the API layer adds is the difference.
    const service = inProcessService(app.container, concurrency);

    // Warm up every path (HTTP connections, JIT on both sides, DynamoDB Local's tables).
    env.log(`warm-up: ${warmup} API creates and gets, in-process creates and gets, raw floors`);
    const warmIds = (await apiCreate(bodies.many(warmup))).ids;
    await apiGet(warmIds);
    await service.get(await service.create(bodies.many(warmup)));

    // The templates of the raw items: what a real create and read stored, so the sizes match (read once here, not measured).
    const sampleId = warmIds[0];
    if (!sampleId) throw new Error('The warm-up created no customer; set a warm-up of at least 1.');
    const setup = DynamoDBDocumentClient.from(appDynamo, { marshallOptions: { removeUndefinedValues: true } });
    const templates = await floorTemplates(setup, prefix, sampleId);
    const profileBytes = Buffer.byteLength(JSON.stringify(templates.profile), 'utf8');

    env.log('starting the raw DynamoDB load worker');
    const raw = await startLoadGenerator({
      kind: 'dynamodb',
      endpoint: env.dynamodbEndpoint,
      region: 'local',
      tableName: dataTableName,
      template: templates.profile,
      floors: templates,
    });
    cleanups.push(() => raw.close());
    const rawPut = async (ids: string[]) => (await raw.run({ op: 'raw-put', concurrency, ids })).timings;
    const rawGet = async (ids: string[]) => (await raw.run({ op: 'raw-get', concurrency, ids })).timings;
    const floorGet = async (ids: string[], parallel: boolean) => (await raw.run({ op: 'floor-get', concurrency, ids, parallel })).timings;
    const floorCreate = async (count: number, readFirst: boolean) => (await raw.run({ op: 'floor-create', concurrency, count, readFirst })).timings;
    await rawPut(Array.from({ length: warmup }, () => randomUUID()));
    await rawGet(warmIds);
    await floorGet(warmIds, true);
    await floorGet(warmIds, false);
    await floorCreate(warmup, false);
    await floorCreate(warmup, true);

    // Measured: creates, then gets, every path in each round, the order turning round by round.
    const keysBefore = keys.calls();
    const sizes = roundSizes(n, ROUNDS);
    const created: string[] = [];
    const createPaths: Array<[CreatePath, (size: number) => Promise<Timings>]> = [
      ['api', async (size) => {
        const result = await apiCreate(bodies.many(size));
        created.push(...result.ids);
        return result.timings;
      }],
      ['floor', (size) => floorCreate(size, false)],
      ['readFirst', (size) => floorCreate(size, true)],
      ['service', async (size) => (await service.timedCreate(bodies.many(size))).timings],
      ['bare', (size) => rawPut(Array.from({ length: size }, () => randomUUID()))],
    ];
    env.log(`creates: ${n} per path (API, floor, floor with the earlier reads, in process, bare PutItem) in ${sizes.length} rounds, ${concurrency} in flight`);
    const creates = await interleaved(createPaths, sizes);

    const getPaths: Array<[GetPath, (ids: string[]) => Promise<Timings>]> = [
      ['api', apiGet],
      ['floor', (ids) => floorGet(ids, true)],
      ['sequential', (ids) => floorGet(ids, false)],
      ['service', (ids) => service.timedGet(ids)],
      ['bare', rawGet],
    ];
    env.log(`gets: ${n} per path (API, floor, audit after the read, in process, bare GetItem) in ${sizes.length} rounds`);
    let offset = 0;
    const gets = await interleaved(
      getPaths.map(([path, run]) => [path, (size: number) => run(created.slice(offset, offset + size))] as const),
      sizes,
      (size) => void (offset += size),
    );
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

    return {
      id: 'customer-records',
      title: 'Customer records',
      body: renderCustomerRecords({
        settings,
        rounds: sizes.length,
        creates,
        gets,
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

/** Rounds the measured operations of each path are split into. */
const ROUNDS = 4;

/** `n` split into at most `rounds` near-equal sizes, none empty. */
function roundSizes(n: number, rounds: number): number[] {
  const count = Math.max(1, Math.min(rounds, n));
  return Array.from({ length: count }, (_, i) => Math.floor(((i + 1) * n) / count) - Math.floor((i * n) / count));
}

/**
 * Runs every path once per round, each round starting one path later than the one
 * before, and merges each path's timings. `afterRound` runs once a round is done.
 */
async function interleaved<P extends string>(
  paths: ReadonlyArray<readonly [P, (size: number) => Promise<Timings>]>,
  sizes: number[],
  afterRound: (size: number) => void = () => undefined,
): Promise<Record<P, Figures>> {
  const runs = new Map<P, Timings[]>(paths.map(([path]) => [path, []]));
  for (const [round, size] of sizes.entries()) {
    for (let k = 0; k < paths.length; k++) {
      const [path, run] = paths[(round + k) % paths.length]!;
      runs.get(path)!.push(await run(size));
    }
    afterRound(size);
  }
  return Object.fromEntries([...runs].map(([path, timings]) => [path, summarize(mergeTimings(timings))])) as Record<P, Figures>;
}

/** `CustomerService` called directly, as the customers function's handlers call it, with an admin's context. */
function inProcessService(container: Container, concurrency: number) {
  const { view, purpose } = resolveView('admin');
  let request = 0;
  const context = () => ({ actor: { id: 'bench', role: 'admin' as const, requestId: `in-process-${++request}` }, purpose });
  const timedCreate = async (createBodies: CreateCustomerInput[]) => {
    const ids = new Array<string>(createBodies.length);
    const timings = await runConcurrent(createBodies.length, concurrency, async (i) => {
      ids[i] = (await container.customers.create(createBodies[i]!, context(), view)).customer.id;
    });
    return { timings, ids };
  };
  const timedGet = (ids: string[]) => runConcurrent(ids.length, concurrency, async (i) => void (await container.customers.get(ids[i]!, context(), view)));
  return {
    timedCreate,
    timedGet,
    create: async (createBodies: CreateCustomerInput[]) => (await timedCreate(createBodies)).ids,
    get: (ids: string[]) => timedGet(ids),
  };
}
