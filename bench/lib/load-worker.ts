import { parentPort, workerData } from 'node:worker_threads';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { createDynamoClient } from '../../shared/runtime/index.js';
import type { ApiServer, JobMessage, LoadJob, LoadResult, LoadTarget, WorkerMessage } from './load.js';
import { runConcurrent } from './measure.js';

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
