import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { createDynamoClient } from '../../shared/runtime/index.js';
import { CustomerBodies } from './customers.js';
import type { AnswerCounts, ApiLoad, ApiServer, JobMessage, LoadJob, LoadResult, LoadTarget, WorkerMessage } from './load.js';
import { runConcurrent, threadCpuMs } from './measure.js';
import { runFloorJob } from './raw-operations.js';

/**
 * The worker side of `load.ts`: builds the one client its target needs, then runs each job
 * it is sent (the concurrent loop, timed here) and posts the timings back.
 */
const port = parentPort;
if (!port) throw new Error('load-worker.ts runs as a worker thread (see load.ts).');
const target = workerData as LoadTarget;

interface Operations {
  apiCreate?(body: CreateCustomerInput): Promise<string>;
  apiGet?(id: string, server?: ApiServer): Promise<void>;
  rawPut?(id: string): Promise<void>;
  rawGet?(id: string): Promise<void>;
}

/** The two calls the benchmark makes through the local HTTP API; anything unexpected fails the run. */
function apiOperations(url: string, token: string): Operations {
  const authorization = `Bearer ${token}`;
  return {
    async apiCreate(body) {
      const res = await fetch(`${url}/v1/customers`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { id?: unknown };
      if (res.status !== 201 || typeof answer.id !== 'string') {
        throw new Error(`POST /v1/customers answered ${res.status}: ${JSON.stringify(answer)}`);
      }
      return answer.id;
    },
    async apiGet(id, server) {
      const res = await fetch(`${server?.url ?? url}/v1/customers/${id}`, {
        headers: { authorization: server ? `Bearer ${server.token}` : authorization },
      });
      const answer = (await res.json()) as { id?: unknown; name?: unknown };
      if (res.status !== 200 || answer.id !== id || typeof answer.name !== 'string') {
        throw new Error(`GET /v1/customers/${id} answered ${res.status}: ${JSON.stringify(answer)}`);
      }
    },
  };
}

/** Raw DynamoDB: its own client, the same client and document-client options as the store. */
function rawOperations(t: Extract<LoadTarget, { kind: 'dynamodb' }>): Operations {
  const client = createDynamoClient({ region: t.region, dynamodbEndpoint: t.endpoint });
  const raw = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  const copyOf = (id: string) => ({ ...t.template, pk: `CUSTOMER#${id}`, id });
  return {
    async rawPut(id) {
      await raw.send(new PutCommand({ TableName: t.tableName, Item: copyOf(id) }));
    },
    async rawGet(id) {
      const out = await raw.send(
        new GetCommand({ TableName: t.tableName, Key: { pk: `CUSTOMER#${id}`, sk: 'PROFILE' }, ConsistentRead: true }),
      );
      if (out.Item?.id !== id) throw new Error(`Raw GetItem of ${id} did not return the item put.`);
    },
  };
}

/** One instance per worker: every customer a load run creates is unique across its runs. */
const loadBodies = new CustomerBodies();

/**
 * An `ApiLoad` with autocannon: its keep-alive connections cost the client far less CPU
 * per request than `fetch`, which matters where client and server share two cores. Every
 * failure is counted rather than thrown, so a run reports what went wrong and how often.
 */
async function apiLoad(server: ApiServer, load: ApiLoad): Promise<LoadResult> {
  const reads = Math.round(Math.min(1, Math.max(0, load.readShare)) * 5);
  if (reads > 0 && load.readIds.length === 0) throw new Error('A load with reads needs ids to read.');
  const latenciesMs: number[] = [];
  const answers: AnswerCounts = { answered: 0, byStatus: {}, non2xx: 0, errors: 0, timeouts: 0 };
  const ids: string[] = [];
  let issued = 0;
  let nextRead = 0;
  const setupRequest = (request: autocannon.Request, context: Record<string, unknown>): autocannon.Request => {
    const isRead = issued++ % 5 < reads;
    context.create = !isRead;
    if (isRead) return { ...request, method: 'GET', path: `/v1/customers/${load.readIds[nextRead++ % load.readIds.length]}`, body: undefined };
    return {
      ...request,
      method: 'POST',
      path: '/v1/customers',
      headers: { ...request.headers, 'content-type': 'application/json' },
      body: JSON.stringify(loadBodies.next()),
    };
  };
  const onResponse = (status: number, body: string, context: Record<string, unknown>) => {
    if (context.create && status === 201) ids.push((JSON.parse(body) as { id: string }).id);
  };
  const cpu = process.cpuUsage();
  const threadCpu = threadCpuMs();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: server.url,
        connections: load.connections,
        pipelining: 1,
        timeout: 10,
        headers: { authorization: `Bearer ${server.token}` },
        requests: [{ setupRequest: setupRequest as never, onResponse: onResponse as never }],
        ...('seconds' in load.until ? { duration: load.until.seconds } : { amount: load.until.requests }),
      },
      (error: unknown, done: autocannon.Result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latenciesMs.push(responseTime);
      answers.answered += 1;
      answers.byStatus[statusCode] = (answers.byStatus[statusCode] ?? 0) + 1;
      if (statusCode < 200 || statusCode > 299) answers.non2xx += 1;
    });
  });
  const used = process.cpuUsage(cpu);
  answers.errors = result.errors;
  answers.timeouts = result.timeouts;
  return {
    timings: { latenciesMs, wallMs: result.duration * 1000, cpuMs: (used.user + used.system) / 1000, threadCpuMs: threadCpuMs() - threadCpu },
    ids,
    answers,
  };
}

const ops = target.kind === 'api' ? apiOperations(target.url, target.token) : rawOperations(target);

function need<K extends keyof Operations>(name: K): NonNullable<Operations[K]> {
  const op = ops[name];
  if (!op) throw new Error(`This ${target.kind} load worker cannot run ${name}.`);
  return op as NonNullable<Operations[K]>;
}

async function run(job: LoadJob): Promise<LoadResult> {
  switch (job.op) {
    case 'api-create': {
      const create = need('apiCreate');
      const ids = new Array<string>(job.bodies.length);
      const timings = await runConcurrent(job.bodies.length, job.concurrency, async (i) => void (ids[i] = await create(job.bodies[i]!)));
      return { timings, ids };
    }
    case 'api-get': {
      const get = need('apiGet');
      const { server } = job;
      return { timings: await runConcurrent(job.ids.length, job.concurrency, (i) => get(job.ids[i]!, server)), ids: [] };
    }
    case 'raw-put': {
      const put = need('rawPut');
      return { timings: await runConcurrent(job.ids.length, job.concurrency, (i) => put(job.ids[i]!)), ids: [] };
    }
    case 'raw-get': {
      const get = need('rawGet');
      return { timings: await runConcurrent(job.ids.length, job.concurrency, (i) => get(job.ids[i]!)), ids: [] };
    }
    case 'floor-get':
    case 'floor-create':
      if (target.kind !== 'dynamodb') throw new Error(`This ${target.kind} load worker cannot run ${job.op}.`);
      return { timings: await runFloorJob(target, job), ids: [] };
    case 'api-load': {
      if (target.kind !== 'api') throw new Error(`This ${target.kind} load worker cannot run api-load.`);
      const { op: _op, ...load } = job;
      return apiLoad(target, load);
    }
  }
}

const post = (message: WorkerMessage) => port.postMessage(message);

port.on('message', ({ id, job }: JobMessage) => {
  run(job).then(
    (result) => post({ type: 'done', id, result }),
    (error: unknown) => post({ type: 'failed', id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
post({ type: 'ready' });
