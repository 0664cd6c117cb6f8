import type { BenchSettings } from '../customer-records.js';
import type { KeyServiceCalls } from './counting-key-service.js';
import { costRatio, type Figures } from './measure.js';
import { count, fixed, table, times } from './report.js';

/** The create paths: the API, its floor, the floor with the reads creates made before it, the service in process, a bare put. */
export type CreatePath = 'api' | 'floor' | 'readFirst' | 'service' | 'bare';
/** The read paths: the API, its floor, the floor with the audit write after the read, the service in process, a bare get. */
export type GetPath = 'api' | 'floor' | 'sequential' | 'service' | 'bare';

/** How close to its floor each path should be, at p50 and p99. */
export const GET_TARGET = 1.2;
export const CREATE_TARGET = 1.3;

interface ReportInput {
  settings: BenchSettings;
  rounds: number;
  creates: Record<CreatePath, Figures>;
  gets: Record<GetPath, Figures>;
  profileBytes: number;
  warmInstanceCalls: KeyServiceCalls;
  coldCalls: KeyServiceCalls;
  coldReads: Figures;
  keyCache: { maxEntries: number; ttlMs: number };
}

type Ratio = ReturnType<typeof costRatio>;

const figureRow = (operation: string, path: string, f: Figures) => [
  operation,
  path,
  count(f.count),
  fixed(f.opsPerSec, 0),
  fixed(f.p50Ms, 2),
  fixed(f.p99Ms, 2),
  fixed(f.cpuPerOpMs, 2),
];
const ratioRow = (operation: string, label: string, r: Ratio) => [operation, label, '', times(r.opsPerSec), times(r.p50Ms), times(r.p99Ms), times(r.cpuPerOpMs)];

/** One step of the breakdown: its figures and how far above the floor it sits. */
const stepRow = (step: string, f: Figures, floor: Figures) => [step, fixed(f.p50Ms, 2), fixed(f.p99Ms, 2), fixed(f.cpuPerOpMs, 2), times(f.p50Ms / floor.p50Ms), times(f.p99Ms / floor.p99Ms)];

/** "meets" or "does not meet" a target at p50 and p99, as a sentence fragment. */
function verdict(r: Ratio, target: number): string {
  const p50 = r.p50Ms <= target;
  const p99 = r.p99Ms <= target;
  const head = `p50 ${times(r.p50Ms)}, p99 ${times(r.p99Ms)} its floor: the p50 ${p50 ? '**meets**' : '**does not meet**'} the ${target}× target`;
  return `${head}${p50 === p99 ? (p99 ? ' and the p99 meets it too' : ' and neither does the p99') : p99 ? ' while the p99 does' : ' though the p99 does not'}`;
}

export function renderCustomerRecords(input: ReportInput): string {
  const { settings, creates, gets, warmInstanceCalls, coldCalls } = input;
  const getRatio = costRatio(gets.api, gets.floor);
  const createRatio = costRatio(creates.api, creates.floor);
  const figures = table(
    ['Operation', 'Path', 'Ops', 'ops/s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)'],
    [
      figureRow('Get', 'API `GET /v1/customers/{id}` (audited read)', gets.api),
      figureRow('Get', 'floor: raw `GetItem` ‖ audit entry\'s conditional `PutItem`', gets.floor),
      ratioRow('Get', '**API ÷ floor**', getRatio),
      figureRow('Get', 'raw `GetItem` alone (consistent; reference)', gets.bare),
      ratioRow('Get', 'API ÷ `GetItem` alone', costRatio(gets.api, gets.bare)),
      figureRow('Create', 'API `POST /v1/customers`', creates.api),
      figureRow('Create', 'floor: raw `TransactWriteItems` of the six items', creates.floor),
      ratioRow('Create', '**API ÷ floor**', createRatio),
      figureRow('Create', 'raw `PutItem` of the profile alone (reference)', creates.bare),
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r'],
  );

  const breakdownHeader = ['Step', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)', 'p50 ÷ floor', 'p99 ÷ floor'];
  const align: Array<'l' | 'r'> = ['l', 'r', 'r', 'r', 'r', 'r'];
  const getSteps = table(
    breakdownHeader,
    [
      stepRow('1. raw `GetItem` of the profile alone', gets.bare, gets.floor),
      stepRow('2. `GetItem`, then the audit `PutItem` (the read as it was audited before: one after the other)', gets.sequential, gets.floor),
      stepRow('3. `GetItem` ‖ `PutItem`: **the floor**', gets.floor, gets.floor),
      stepRow('4. `CustomerService.get` in process: 3 + the store adapter, key lookup, unsealing and masking, the entry\'s MAC; no HTTP', gets.service, gets.floor),
      stepRow('5. API `GET`: 4 + HTTP on loopback, the middleware stack, the token, validation, JSON', gets.api, gets.floor),
    ],
    align,
  );
  const createSteps = table(
    breakdownHeader,
    [
      stepRow('1. raw `TransactWriteItems` of the six items: **the floor**', creates.floor, creates.floor),
      stepRow('2. `BatchGetItem` of the guards ‖ counter `UpdateItem`, then 1 (the create as it was before)', creates.readFirst, creates.floor),
      stepRow('3. `CustomerService.create` in process: 1 + a data key, sealing, blind indexes, a number from the block, the entry\'s MAC; no HTTP', creates.service, creates.floor),
      stepRow('4. API `POST`: 3 + HTTP on loopback, the middleware stack, the token, validation, JSON', creates.api, creates.floor),
    ],
    align,
  );

  const measuredRequests = 2 * settings.n;
  const perThousand = (calls: number, requests: number) => fixed((calls * 1000) / requests, 1);
  const kms = table(
    ['Instance', 'Requests', 'generateDataKey', 'decryptDataKey', 'Total', 'Per 1,000 requests'],
    [
      [
        `Warm: the measured creates and gets above (API and in process)`,
        `${count(2 * settings.n)} creates + ${count(2 * settings.n)} gets`,
        count(warmInstanceCalls.generateDataKey),
        count(warmInstanceCalls.decryptDataKey),
        count(warmInstanceCalls.total),
        perThousand(warmInstanceCalls.total, 2 * measuredRequests),
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

  // "Far fewer than one per read": at most one per customer read, plus the index key.
  const kmsBound = settings.kmsCustomers + 1;
  const kmsWithin = coldCalls.total <= kmsBound;
  const coldPerRead = coldCalls.total / settings.kmsReads;

  return `
Settings: N = ${count(settings.n)} operations per path, ${settings.concurrency} in flight, ${settings.warmup} warm-up operations per path first (not counted);
the paths of each operation run interleaved in ${input.rounds} rounds (each round starts with the next path), so drift in the machine's load reaches them alike;
key-service figure: ${count(settings.kmsReads)} reads round-robin over ${count(settings.kmsCustomers)} customers.
DynamoDB Local in memory, in the same run; the API on the local HTTP runtime (\`local/app.ts\`) on the main thread, the local key service counted;
the load from worker threads (\`bench/lib/load.ts\`), the floors' raw calls too (\`bench/lib/raw-operations.ts\`).
Profile item: ${count(input.profileBytes)} bytes as JSON. Access log level during the run: ${settings.accessLogLevel ?? 'default (INFO)'}.

**The floors.** An audited read cannot answer before its profile is read and its audit entry is durable, so its floor is a
consistent \`GetItem\` of the profile and the entry's conditional \`PutItem\` (on the audit table, with its indexes) sent in
parallel. A create cannot answer before its one transaction commits, so its floor is one \`TransactWriteItems\` of the six
items it writes (data key, profile, history entry, email and phone guards, audit entry), each conditional as the API's. Both
copy items the API itself stored in this run, so the sizes match.

${figures}

In the ratio rows every column reads as "times the floor's cost": latency and CPU are API ÷ floor, throughput is floor ops/s ÷ API ops/s.
Node CPU/op is the CPU time of the whole Node process (every thread) over the phase divided by its operations: it holds the
load generator's worker thread as well as the API server's main thread, but not DynamoDB Local's (a separate JVM).

Targets: an audited read within ${GET_TARGET}× its floor, a create within ${CREATE_TARGET}× its floor.
Measured: the audited read's ${verdict(getRatio, GET_TARGET)}; the create's ${verdict(createRatio, CREATE_TARGET)}.

**Where the time goes.** Each step adds to the one before; the last columns put each against the floor. The in-process rows
call \`CustomerService\` as the customers function's handlers do, from the server's own thread, so the step from them to the API
is what HTTP and the handler stack add.

Audited read:

${getSteps}

Create:

${createSteps}

Reads send the audit entry alongside the \`GetItem\` (step 2 against step 3 is what that saves) as a single conditional
\`PutItem\`, and answer once both are done: no record leaves unaudited, and a failed audit write fails the read. Creates no longer
read the contact guards first (the transaction's own conditions refuse a taken contact, and the 409 names its field) and take
their customer number from a block of \`CUSTOMER_NUMBER_BLOCK\` numbers reserved by one counter update per block, not one per
create (step 2 against step 1 is what that saves).

Key-service (KMS) calls, key cache on (at most ${count(input.keyCache.maxEntries)} keys, ${fixed(input.keyCache.ttlMs / 60_000, 0)} min each):

${kms}

The cold instance answered its ${count(settings.kmsReads)} reads at ${fixed(input.coldReads.opsPerSec, 0)} ops/s (p50 ${fixed(input.coldReads.p50Ms, 2)} ms, p99 ${fixed(input.coldReads.p99Ms, 2)} ms).
It made ${count(coldCalls.total)} key-service calls for ${count(settings.kmsReads)} reads over ${count(settings.kmsCustomers)} customers (${fixed(coldPerRead, 2)} per read), which ${kmsWithin ? '**meets**' : '**does not meet**'} the expectation of about one call per customer (at most ${count(kmsBound)} with the index key), far fewer than one per read.

**How to read it.** The load generators run in worker threads, off the server's event loop, as a remote client would: the raw
paths are worker → DynamoDB Local, the API path worker → API server (main thread) → DynamoDB Local. The threads still share the
machine's cores with each other and with DynamoDB Local (a JVM on the same machine), so absolute figures are not AWS latencies;
compare ratios between runs.
`;
}
