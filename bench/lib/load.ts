import { Worker } from 'node:worker_threads';
import type { CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import type { Timings } from './measure.js';
import type { FloorJob, FloorTemplates } from './raw-operations.js';

/**
 * Load generators in worker threads. The API server runs on the main thread, so a client
 * on that thread would make the server's event loop pay for its own load as well (request
 * building, response parsing). Each generator is a worker thread with one target, running
 * the concurrent loop and timing every operation itself, as a remote client would:
 *
 * - raw: worker -> DynamoDB Local
 * - API: worker -> API server (main thread) -> DynamoDB Local
 */
export interface ApiServer {
  url: string;
  token: string;
}

export type LoadTarget =
  /** The local HTTP API, called with `fetch` and a bearer token. */
  | ({ kind: 'api' } & ApiServer)
  /**
   * DynamoDB Local through the document client, built with the store's client options;
   * raw items are copies of `template` under another id.
   */
  | { kind: 'dynamodb'; endpoint: string; region: string; tableName: string; template: Record<string, unknown>; floors?: FloorTemplates };

export type LoadJob =
  /** `POST /v1/customers` of each body; the answer's ids come back in order. */
  | { op: 'api-create'; concurrency: number; bodies: CreateCustomerInput[] }
  /**
   * `GET /v1/customers/{id}` of each id; `server` sends them to another instance than the
   * target's, from the same (already warm) client.
   */
  | { op: 'api-get'; concurrency: number; ids: string[]; server?: ApiServer }
  /** `PutItem` of the template under each id. */
  | { op: 'raw-put'; concurrency: number; ids: string[] }
  /** Consistent `GetItem` of each id's profile item. */
  | { op: 'raw-get'; concurrency: number; ids: string[] }
  /** The audited read's and the create's floors (`raw-operations.ts`), on a `dynamodb` target with floor templates. */
  | FloorJob
  /** Load at a fixed concurrency until a bound, counting what fails instead of stopping (`ApiLoad`). */
  | ({ op: 'api-load' } & ApiLoad);

/**
 * A closed-loop load on the local API: `connections` keep-alive connections, each sending
 * its next request as soon as the last is answered. Of every five requests, `readShare * 5`
 * (rounded) are `GET /v1/customers/{id}` of `readIds` in turn, the rest `POST /v1/customers`
 * of new, unique customers.
 */
export interface ApiLoad {
  connections: number;
  readShare: number;
  readIds: string[];
  /** Stop after this many seconds, or after this many requests (tests: no clock involved). */
  until: { seconds: number } | { requests: number };
}

/** What a load run's answers were. */
export interface AnswerCounts {
  /** Requests answered, whatever the status. */
  answered: number;
  /** Answers by status code. */
  byStatus: Record<string, number>;
  /** Answers outside 2xx. */
  non2xx: number;
  /** Requests without an answer: connection errors and timeouts (counted in both). */
  errors: number;
  timeouts: number;
}

export interface LoadResult {
  /** For `api-load`: the latency of every answered request, whatever its status. */
  timings: Timings;
  /** For `api-create` and `api-load`: the ids the API gave to created customers (for `api-create`, in the order of the bodies). */
  ids: string[];
  /** For `api-load` only. */
  answers?: AnswerCounts;
}

/** Main thread -> worker. */
export interface JobMessage {
  id: number;
  job: LoadJob;
}

/** Worker -> main thread. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: LoadResult }
  | { type: 'failed'; id: number; error: string };

export interface LoadGenerator {
  run(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

/** A load run's figures, from the worker's timings and counts. */
export interface LoadRun {
  timings: Timings;
  answers: AnswerCounts;
  /** Ids of the customers the run created. */
  createdIds: string[];
}

/** Runs one `ApiLoad` on a load generator started for the API (`kind: 'api'`). */
export async function runApiLoad(generator: LoadGenerator, load: ApiLoad): Promise<LoadRun> {
  const result = await generator.run({ op: 'api-load', ...load });
  if (!result.answers) throw new Error('The load worker returned no answer counts for api-load.');
  return { timings: result.timings, answers: result.answers, createdIds: result.ids };
}

const BOOTSTRAP = new URL('./ts-worker.mjs', import.meta.url);
const ENTRY = new URL('./load-worker.ts', import.meta.url);

/** Starts a worker for `target` and resolves once it has loaded and built its client. */
export async function startLoadGenerator(target: LoadTarget): Promise<LoadGenerator> {
  const worker = new Worker(BOOTSTRAP, { argv: [ENTRY.href], workerData: target });
  const pending = new Map<number, { resolve(result: LoadResult): void; reject(error: Error): void }>();
  let nextId = 0;
  let closing = false;
  let ready!: () => void;
  let broken: Error | undefined;
  const started = new Promise<void>((resolve, reject) => {
    ready = resolve;
    const fail = (error: Error) => {
      broken ??= error;
      reject(error);
      for (const job of pending.values()) job.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closing) fail(new Error(`The ${target.kind} load worker exited (code ${code}).`));
    });
  });

  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'ready') return ready();
    const job = pending.get(message.id);
    if (!job) return;
    pending.delete(message.id);
    if (message.type === 'done') job.resolve(message.result);
    else job.reject(new Error(`${target.kind} load worker: ${message.error}`));
  });

  await started;
  return {
    run(job) {
      if (broken) return Promise.reject(broken);
      const id = nextId++;
      return new Promise<LoadResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, job } satisfies JobMessage);
      });
    },
    async close() {
      closing = true;
      await worker.terminate();
    },
  };
}
