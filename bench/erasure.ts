import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { createErasureConsumer } from '../functions/erasure/handler.js';
import { createObservability } from '../functions/http/index.js';
import { localConfig } from '../local/app.js';
import type { AuditContext } from '../shared/platform/audit/index.js';
import { resolveView } from '../shared/contexts/customers/index.js';
import { FolderDownloadStore } from '../shared/platform/downloads/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import type { StoreItem, Write } from '../shared/platform/ports/index.js';
import { createContainer, createDynamoClient, type Container } from '../shared/runtime/index.js';
import { DynamoStore, ensureTables } from '../shared/platform/store/index.js';
import { dataTable, keysTable, physicalTableName } from '../shared/platform/store/tables.js';
import type { BenchEnvironment } from './customer-records.js';
import { CountingKeyService, callsBetween, type KeyServiceCalls } from './lib/counting-key-service.js';
import { CountingStore, storeCallsBetween, type StoreCalls, addCalls } from './lib/counting-store.js';
import { CustomerBodies } from './lib/customers.js';
import { costRatio, mergeTimings, runConcurrent, summarize, threadCpuMs, type Figures, type Timings, runCleanups } from './lib/measure.js';
import { count, fixed, table, times, type Section } from './lib/report.js';

export interface ErasureBenchSettings {
  /** Customers erased on each path (through the consumer, and raw). */
  customers: number;
  /** Erasures in flight at once: the other sections' concurrency. */
  concurrency: number;
  /** Customers erased on each path first and not counted. */
  warmup: number;
  /** Interactions each erased customer has besides the profile (seeded straight into the table). */
  interactionsPerCustomer: number;
  /** Interactions of the one customer whose access export is timed. */
  exportInteractions: number;
}

const PURPOSE = 'bench-newsletter';
const NOTICE = '2026-01';
const dpo: AuditContext = { actor: { id: 'dpo', role: 'dpo' }, purpose: 'bench' };
const agent: AuditContext = { actor: { id: 'agent', role: 'agent' }, purpose: 'bench' };
/** The export's own cap on each list (`EXPORT_MAX_ROWS` in shared/contexts/requests/service.ts). */
const EXPORT_CAP = 10_000;
const SUMMARY = 'Asked about the delivery date of order 2026-0042 and changed the delivery address; agreed to a call back next week.';
/** Lambda's payload limit for a synchronous invocation's response ("6 MB"), taken at its larger reading. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;
/** The default of RESPONSE_INLINE_MAX_BYTES (shared/runtime/config.ts). */
const INLINE_MAX_BYTES = 5_000_000;

type Key = Record<string, unknown>;

/** What one customer is stored as: the data-table items (partition and guards) and the key. */
interface Footprint {
  customerId: string;
  /** The customer's partition: profile, history, interactions, consent state and log. */
  partition: Key[];
  /** The e-mail and phone uniqueness guards the profile names. */
  guards: Key[];
}

interface ExportRun {
  label: string;
  stored: number;
  seconds: number;
  stringifyMs: number;
  cpuMs: number;
  bytes: number;
  /** The API function's answer as Lambda returns it: the proxy result with the document as its JSON-string body. */
  lambdaBytes: number;
  /** Offering the document as a download (sealed into the local folder store) and opening it again. */
  offerMs: number;
  openMs: number;
  truncated: string[];
  interactions: number;
  accessLog: number;
  calls: StoreCalls;
}

/**
 * Erasure through the queue consumer beside raw deletes of the same items, and the access
 * export of a customer with many interactions. Both on one container wired as a function
 * wires it (`createContainer`), with the run's DynamoDB Local and the local key service.
 */
export async function erasureBenchmark(env: BenchEnvironment, settings: ErasureBenchSettings): Promise<Section> {
  const { concurrency, warmup } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const keysTableName = physicalTableName(prefix, keysTable);
  const perPath = warmup + settings.customers;
  const bodies = new CustomerBodies(2 * perPath + 2);
  const cleanups: Array<() => Promise<void> | void> = [];

  try {
    const dynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => dynamo.destroy());
    await ensureTables(dynamo, prefix);
    const store = new CountingStore(new DynamoStore(dynamo, prefix));
    const keyService = new CountingKeyService(LocalKeyService.fromFile(join(env.dataDir, 'master.key')));
    const config = localConfig({ dataDir: env.dataDir, dynamodbEndpoint: env.dynamodbEndpoint, tablePrefix: prefix });
    // Events (the consent given while seeding) go nowhere: no queue or file in this section.
    const container = createContainer(config, { dynamodb: dynamo, store, keyService, events: { publish: async () => undefined } });

    // The raw side: its own client, the store's document-client options.
    const rawDynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => rawDynamo.destroy());
    const raw = DynamoDBDocumentClient.from(rawDynamo, { marshallOptions: { removeUndefinedValues: true } });

    // ---- Seeding (not measured) ----
    await container.consent.putPurpose(
      PURPOSE,
      { name: 'Newsletter', description: 'Monthly newsletter by e-mail.', noticeVersion: NOTICE, requiresConsent: true, fields: ['name', 'emails'] },
      undefined,
      dpo,
    );
    // One real interaction, made by the service; the seeded ones are copies of its stored item.
    const templateCustomer = await createCustomer(container, bodies);
    const template = await createInteraction(container, templateCustomer);

    env.log(`erasure: seeding 2 x ${perPath} customers (profile, ${settings.interactionsPerCustomer} interactions, 1 consent each), ${concurrency} in flight`);
    const population = new Array<string>(2 * perPath);
    await runConcurrent(population.length, concurrency, async (i) => {
      const customerId = await createCustomer(container, bodies);
      await container.consent.record(customerId, { purposeId: PURPOSE, action: 'give', channel: 'online-form', noticeVersion: NOTICE }, dpo);
      const writes: Write[] = Array.from({ length: settings.interactionsPerCustomer }, (_, n) => ({
        op: 'put',
        table: dataTable.name,
        item: interactionCopy(template, customerId, new Date(Date.now() - (n + 1) * 3_600_000)),
      }));
      if (writes.length) await container.store.transact(writes);
      population[i] = customerId;
    });
    // Alternate the two populations so that neither gets the earlier (or later) customers.
    const viaConsumer = population.filter((_, i) => i % 2 === 0);
    const viaRaw = population.filter((_, i) => i % 2 === 1);

    // What each customer is stored as, read back for both populations: the raw side deletes exactly these.
    const footprints = new Map<string, Footprint>();
    await runConcurrent(population.length, concurrency, async (i) => {
      const customerId = population[i]!;
      footprints.set(customerId, await footprintOf(raw, dataTableName, customerId));
    });
    const sizes = new Set([...footprints.values()].map((f) => `${f.partition.length}+${f.guards.length}`));
    if (sizes.size !== 1) throw new Error(`The seeded customers differ in shape: ${[...sizes].join(', ')} items.`);
    const sample = footprints.get(population[0]!)!;
    const kinds = sample.partition.map((k) => {
      const parts = String(k.sk).split('#');
      return parts.slice(0, parts[0] === 'CONSENT' ? 2 : 1).join('#');
    });
    const itemsPerCustomer = sample.partition.length + sample.guards.length + 1;

    // ---- Erasure through the consumer, and raw deletes ----
    const sweepId = randomUUID();
    const bodyOf = new Map(viaConsumer.map((customerId) => [customerId, erasureEnvelope(sweepId, customerId)]));
    // One consumer per message in flight, as one Lambda execution environment per concurrent
    // invocation: the consumer's BatchProcessor keeps the invocation's state in the instance
    // outside Lambda, so concurrent calls into one consumer would mix their results.
    const consumers: Array<(event: SQSEvent) => Promise<SQSBatchResponse>> = [];
    for (let i = 0; i < concurrency; i++) consumers.push(createErasureConsumer(container, await createObservability('erasure')));
    const eraseAll = (ids: string[]) =>
      runConcurrent(ids.length, concurrency, async (i) => {
        const consumer = consumers.pop()!;
        try {
          const customerId = ids[i]!;
          const response = await consumer(sqsEvent(bodyOf.get(customerId)!));
          if (response.batchItemFailures.length) throw new Error(`The erasure consumer reported ${customerId} as failed.`);
        } finally {
          consumers.push(consumer);
        }
      });
    const deleteAll = (ids: string[]) =>
      runConcurrent(ids.length, concurrency, async (i) => {
        const { customerId, partition, guards } = footprints.get(ids[i]!)!;
        for (const key of [...guards, ...partition]) await raw.send(new DeleteCommand({ TableName: dataTableName, Key: key }));
        await raw.send(new DeleteCommand({ TableName: keysTableName, Key: { pk: customerId } }));
      });

    env.log(`erasure warm-up: ${warmup} through the consumer, ${warmup} raw`);
    await eraseAll(viaConsumer.slice(0, warmup));
    await deleteAll(viaRaw.slice(0, warmup));

    // Measured in two rounds, the second in the other order, so drift in the machine's load falls on both alike.
    env.log(`erasure: ${settings.customers} through the consumer and ${settings.customers} raw, ${concurrency} in flight`);
    const measuredConsumer = viaConsumer.slice(warmup);
    const measuredRaw = viaRaw.slice(warmup);
    const half = Math.ceil(settings.customers / 2);
    const consumerTimings: Timings[] = [];
    const rawTimings: Timings[] = [];
    const callsBefore = store.calls();
    const keysBefore = keyService.calls();
    let consumerCalls = storeCallsBetween(callsBefore, callsBefore);
    for (const [round, order] of [['first', ['consumer', 'raw']], ['second', ['raw', 'consumer']]] as const) {
      const from = round === 'first' ? 0 : half;
      const to = round === 'first' ? half : settings.customers;
      for (const path of order) {
        if (path === 'consumer') {
          const before = store.calls();
          consumerTimings.push(await eraseAll(measuredConsumer.slice(from, to)));
          consumerCalls = addCalls(consumerCalls, storeCallsBetween(before, store.calls()));
        } else {
          rawTimings.push(await deleteAll(measuredRaw.slice(from, to)));
        }
      }
    }
    const keyCalls = callsBetween(keysBefore, keyService.calls());
    const consumerFigures = summarize(mergeTimings(consumerTimings));
    const rawFigures = summarize(mergeTimings(rawTimings));

    // Both populations must be gone entirely; the erased one certified.
    env.log('erasure: checking that every customer is gone');
    const leftovers: string[] = [];
    await runConcurrent(population.length, concurrency, async (i) => {
      const customerId = population[i]!;
      const left = await remaining(raw, dataTableName, keysTableName, footprints.get(customerId)!);
      if (left) leftovers.push(`${customerId}: ${left}`);
      if (i % 2 === 0) {
        const certificate = await raw.send(
          new GetCommand({ TableName: dataTableName, Key: { pk: `CERTIFICATE#${sweepId}:${customerId}`, sk: 'CERTIFICATE' }, ConsistentRead: true }),
        );
        if (!certificate.Item) leftovers.push(`${customerId}: no destruction certificate`);
      }
    });
    if (leftovers.length) throw new Error(`Not every customer was erased: ${leftovers.slice(0, 3).join('; ')}`);

    // ---- Access export of a customer with many interactions ----
    env.log(`access export: one customer with ${count(settings.exportInteractions)} interactions`);
    const exported = await createCustomer(container, bodies);
    await container.consent.record(exported, { purposeId: PURPOSE, action: 'give', channel: 'online-form', noticeVersion: NOTICE }, dpo);
    const first = await createInteraction(container, exported);
    // Copies of the real one: its sealed fields were sealed for this customer id and these
    // field names (not for the record's id), so every copy opens. 100 to a transaction.
    const base = Date.now() - 3_600_000;
    const copies = Array.from({ length: settings.exportInteractions - 1 }, (_, i) => interactionCopy(first, exported, new Date(base - i * 60_000)));
    const chunks = Math.ceil(copies.length / 100);
    await runConcurrent(chunks, 4, async (c) => {
      await container.store.transact(copies.slice(c * 100, (c + 1) * 100).map((item): Write => ({ op: 'put', table: dataTable.name, item })));
    });
    const request = await container.requests.create({ customerId: exported, type: 'access', jurisdiction: 'GDPR', channel: 'email' }, agent);
    await container.requests.transition(request.id, { action: 'verify-identity' }, agent);
    const approved = await container.requests.transition(request.id, { action: 'approve' }, dpo);
    if (approved.status !== 'in-progress') throw new Error(`The access request is ${approved.status}, not in progress.`);

    const exports: ExportRun[] = [];
    exports.push(await timeExport(`${count(settings.exportInteractions)} interactions stored`, settings.exportInteractions, container, store, request.id));
    if (settings.exportInteractions === EXPORT_CAP) {
      // One more than the cap: does the export say that it left one out?
      await container.store.transact([{ op: 'put', table: dataTable.name, item: interactionCopy(first, exported, new Date(base - copies.length * 60_000)) }]);
      exports.push(await timeExport(`${count(EXPORT_CAP + 1)} stored (cap + 1)`, EXPORT_CAP + 1, container, store, request.id));
    }
    const expected = Math.min(settings.exportInteractions, EXPORT_CAP);
    if (exports[0]!.interactions !== expected) {
      throw new Error(`The export held ${exports[0]!.interactions} interactions, not the ${expected} stored.`);
    }

    return {
      id: 'erasure-export',
      title: 'Erasure and access export',
      body: render({
        settings,
        consumer: consumerFigures,
        raw: rawFigures,
        consumerCalls,
        keyCalls,
        itemsPerCustomer,
        partitionKinds: kinds,
        guards: sample.guards.length,
        exports,
      }),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

async function createCustomer(container: Container, bodies: CustomerBodies): Promise<string> {
  const { customer } = await container.customers.create(bodies.next(), dpo, resolveView('dpo').view);
  return customer.id;
}

/** Creates one interaction through the service and returns its stored item. */
async function createInteraction(container: Container, customerId: string): Promise<StoreItem> {
  const interaction = await container.interactions.create(
    customerId,
    {
      channel: 'phone',
      occurredAt: new Date().toISOString(),
      place: 'Shanghai service centre',
      participants: ['Agent Wang', 'Customer'],
      summary: SUMMARY,
      attachments: ['crm://calls/2026/0042.mp3'],
    },
    dpo,
  );
  const item = await container.store.get(dataTable.name, {
    pk: `CUSTOMER#${customerId}`,
    sk: `INTERACTION#${interaction.occurredAt}#${interaction.id}`,
  });
  if (!item) throw new Error(`The interaction ${interaction.id} just created is not in the data table.`);
  return item;
}

/** A stored interaction under another id and time (and customer), its sealed fields and hash kept. */
function interactionCopy(template: StoreItem, customerId: string, occurredAt: Date): StoreItem {
  const id = randomUUID();
  const at = occurredAt.toISOString();
  return {
    ...template,
    pk: `CUSTOMER#${customerId}`,
    sk: `INTERACTION#${at}#${id}`,
    id,
    customerId,
    occurredAt: at,
    gsi3sk: `${at}#${customerId}#${id}`,
  };
}

async function footprintOf(raw: DynamoDBDocumentClient, tableName: string, customerId: string): Promise<Footprint> {
  const out = await raw.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}` },
      ConsistentRead: true,
    }),
  );
  const items = out.Items ?? [];
  if (out.LastEvaluatedKey) throw new Error(`The partition of ${customerId} is larger than one page.`);
  const profile = items.find((item) => item.sk === 'PROFILE');
  if (!profile) throw new Error(`No profile for ${customerId}.`);
  const indexes = (name: string) => (Array.isArray(profile[name]) ? (profile[name] as unknown[]).map(String) : []);
  return {
    customerId,
    partition: items.map((item) => ({ pk: item.pk, sk: item.sk })),
    guards: [...indexes('emailIndexes').map((i) => ({ pk: `EMAIL#${i}`, sk: 'GUARD' })), ...indexes('phoneIndexes').map((i) => ({ pk: `PHONE#${i}`, sk: 'GUARD' }))],
  };
}

/** What is left of a customer after its erasure or raw deletes: a description, or undefined if nothing. */
async function remaining(raw: DynamoDBDocumentClient, dataName: string, keysName: string, footprint: Footprint): Promise<string | undefined> {
  const partition = await raw.send(
    new QueryCommand({
      TableName: dataName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${footprint.customerId}` },
      Select: 'COUNT',
      ConsistentRead: true,
    }),
  );
  const key = await raw.send(new GetCommand({ TableName: keysName, Key: { pk: footprint.customerId }, ConsistentRead: true }));
  let guards = 0;
  for (const guard of footprint.guards) {
    if ((await raw.send(new GetCommand({ TableName: dataName, Key: guard, ConsistentRead: true }))).Item) guards += 1;
  }
  const left = [
    ...(partition.Count ? [`${partition.Count} partition item(s)`] : []),
    ...(guards ? [`${guards} guard(s)`] : []),
    ...(key.Item ? ['the data key'] : []),
  ];
  return left.length ? left.join(', ') : undefined;
}

/** The EventBridge envelope the erasure queue receives for a RetentionExpired event (as local/app.ts routes it). */
function erasureEnvelope(sweepId: string, customerId: string): string {
  const event = { type: 'RetentionExpired', id: `${sweepId}:${customerId}`, at: new Date().toISOString(), detail: { sweepId, customerId } };
  return JSON.stringify({ version: '0', id: randomUUID(), source: 'kehu', 'detail-type': event.type, detail: event });
}

/** One SQS record per event, as the event source mapping delivers with batch size 1. */
function sqsEvent(body: string): SQSEvent {
  const messageId = randomUUID();
  const now = String(Date.now());
  return {
    Records: [
      {
        messageId,
        receiptHandle: `${messageId}:1`,
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'bench', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:local:000000000000:erasure',
        awsRegion: 'local',
      },
    ],
  };
}

async function timeExport(label: string, stored: number, container: Container, store: CountingStore, requestId: string): Promise<ExportRun> {
  const before = store.calls();
  const cpu = threadCpuMs();
  const started = performance.now();
  const document = await container.requests.export(requestId, dpo);
  const seconds = (performance.now() - started) / 1000;
  const cpuMs = threadCpuMs() - cpu;
  const calls = storeCallsBetween(before, store.calls());
  const stringifyStarted = performance.now();
  const json = JSON.stringify(document);
  const stringifyMs = performance.now() - stringifyStarted;
  // As functions/http/handler.ts answers it (the headers of functions/requests/handler.ts), serialized once more by the runtime.
  const proxyResult = {
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'content-disposition': `attachment; filename="kehu-export-${requestId}.json"` },
    body: json,
  };
  // Above RESPONSE_INLINE_MAX_BYTES the handler offers the document instead: the local store's cost, as a stand-in for S3's.
  const downloads = new FolderDownloadStore(await mkdtemp(join(tmpdir(), 'kehu-bench-downloads-')));
  const offerStarted = performance.now();
  const offered = await downloads.offer(json, 'export.json');
  const offerMs = performance.now() - offerStarted;
  const link = new URL(offered.url, 'http://localhost');
  const openStarted = performance.now();
  const opened = await downloads.open(link.pathname.split('/').at(-1)!, link.searchParams.get('expires'), link.searchParams.get('signature'));
  const openMs = performance.now() - openStarted;
  if (opened !== json) throw new Error('The offered download did not open to the same document.');
  return {
    label,
    stored,
    seconds,
    stringifyMs,
    offerMs,
    openMs,
    truncated: (document as { truncated?: string[] }).truncated ?? [],
    cpuMs,
    bytes: Buffer.byteLength(json, 'utf8'),
    lambdaBytes: Buffer.byteLength(JSON.stringify(proxyResult), 'utf8'),
    interactions: document.interactions.length,
    accessLog: document.accessLog.length,
    calls,
  };
}


const rate = (value: number): string => (Number.isFinite(value) ? count(Math.round(value)) : 'n/a');

function render(input: {
  settings: ErasureBenchSettings;
  consumer: Figures;
  raw: Figures;
  consumerCalls: StoreCalls;
  keyCalls: KeyServiceCalls;
  itemsPerCustomer: number;
  partitionKinds: string[];
  guards: number;
  exports: ExportRun[];
}): string {
  const { settings, consumer, raw, consumerCalls: c, exports } = input;
  const ratio = costRatio(consumer, raw);
  const row = (path: string, f: Figures, calls: string) => [path, count(f.count), fixed(f.opsPerSec, 0), fixed(f.p50Ms, 2), fixed(f.p99Ms, 2), fixed(f.cpuPerOpMs, 2), calls];
  const perErasure = (value: number) => fixed(value / consumer.count, 2);
  const erasureTable = table(
    ['Path', 'Customers', 'erasures/s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)', 'DynamoDB calls/customer'],
    [
      row('Queue consumer (`createErasureConsumer`, `RetentionExpired`)', consumer, perErasure(c.total)),
      row(`raw \`DeleteItem\` × ${input.itemsPerCustomer}`, raw, count(input.itemsPerCustomer)),
      ['**consumer ÷ raw**', '', times(ratio.opsPerSec), times(ratio.p50Ms), times(ratio.p99Ms), times(ratio.cpuPerOpMs), times(c.total / consumer.count / input.itemsPerCustomer)],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const partitionList = Object.entries(
    input.partitionKinds.reduce<Record<string, number>>((all, kind) => ({ ...all, [kind]: (all[kind] ?? 0) + 1 }), {}),
  )
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');

  const exportTable = table(
    ['Export', 'Interactions in it', 'Access-log entries in it', '`truncated`', 'Seconds', 'Interactions/s', 'Main-thread CPU (ms)', 'Size (bytes)', 'As Lambda response (bytes)', '`JSON.stringify` (ms)', 'Offer / open as download (ms)', 'GetItem', 'Query', 'Writes'],
    exports.map((e) => [
      e.label,
      count(e.interactions),
      count(e.accessLog),
      e.truncated.join(', ') || '—',
      fixed(e.seconds, 2),
      rate(e.interactions / e.seconds),
      fixed(e.cpuMs, 0),
      count(e.bytes),
      count(e.lambdaBytes),
      fixed(e.stringifyMs, 0),
      `${fixed(e.offerMs, 0)} / ${fixed(e.openMs, 0)}`,
      count(e.calls.get),
      count(e.calls.query),
      count(e.calls.transact),
    ]),
    ['l', 'r', 'r', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const main = exports[0]!;
  const over = exports[1];
  const capNote = over
    ? `With one interaction more (${count(over.stored)} stored) the export holds ${count(over.interactions)}, and its \`truncated\` field names
${over.truncated.length ? over.truncated.map((t) => `\`${t}\``).join(', ') : 'nothing'}: a list that reached the cap (${count(EXPORT_CAP)}) says so in the document.`
    : '';
  const mib = (bytes: number) => fixed(bytes / 1024 ** 2, 2);
  const largest = Math.max(...exports.map((e) => e.lambdaBytes));
  const lambdaNote = `The largest answer would be ${fixed((100 * largest) / LAMBDA_RESPONSE_LIMIT, 0)} % of Lambda's 6 MB limit on a buffered (synchronous) response
(taken as ${count(LAMBDA_RESPONSE_LIMIT)} bytes), with about ${count(Math.round(main.bytes / Math.max(1, main.interactions)))} bytes of document per interaction of this one's size
(a ${count(SUMMARY.length)}-character summary; up to 4,000 are accepted). A document larger than ${count(INLINE_MAX_BYTES)} bytes
(\`RESPONSE_INLINE_MAX_BYTES\`) is not answered inline${main.bytes > INLINE_MAX_BYTES ? ', this one included' : ''}: the handler offers it as a download,
\`303 See Other\` to a presigned S3 link in AWS. *Offer / open* times that path with the local folder store (sealed with AES-GCM, written, read back and opened);
S3's upload adds network time in AWS.`;

  return `
Settings: ${count(settings.customers)} customers erased on each path (\`BENCH_ERASE_N\`), ${settings.concurrency} in flight, after ${settings.warmup} unmeasured ones on each;
the measured erasures ran in two rounds, the second in the other order (consumer then raw, raw then consumer).
Everything on the main thread against DynamoDB Local, through a container wired by \`createContainer\` (the local key service, a call-counting store)
on tables of this section's own; the raw side has its own DynamoDB client.

**Erasure.** Each customer was created through \`container.customers.create\` and given a consent (\`container.consent.record\`) and
${settings.interactionsPerCustomer} interactions (copies of a real stored interaction, written straight into the data table), so it is stored as
${count(input.itemsPerCustomer)} items: ${partitionList} in its partition, ${input.guards} contact guards, and its data key in the keys table.
The first population was erased through the erasure queue's consumer (\`createErasureConsumer(container, await createObservability('erasure'))\`),
each erasure an SQS event of one record (batch size 1) whose body is the EventBridge envelope of a \`RetentionExpired\` event
(\`{ sweepId, customerId }\`, one sweep id for the run), as \`local/app.ts\` routes it; a reported batch-item failure fails the run.
There is one consumer per message in flight, as one Lambda execution environment each: outside Lambda the consumer's \`BatchProcessor\`
keeps an invocation's records and failures in the instance, so concurrent calls into one consumer mix their outcomes.
The second, identically seeded population was deleted with one plain \`DeleteItem\` per item, one after another for each customer
(the ${input.guards} guards and ${count(input.partitionKinds.length)} partition items, then the keys-table item), the keys read beforehand (not measured).
Afterwards every customer of both populations was checked to be gone (partition, guards, data key) and every erased one to have its certificate.

${erasureTable}

In the ratio row every column reads as "times the raw cost": latency, CPU and calls are consumer ÷ raw, throughput is raw ÷ consumer.
Node CPU/op is the whole Node process over the phase per customer (both paths run on the main thread).
An erasure is more work than the raw deletes, so it is not expected to match them: besides deleting the same items it reads first
(the certificate, in case this message is a retry; the profile, to hide it and find its guards; the partition, by a consistent \`Query\`; the customer's
requests, to strip their sealed details), hides the profile with a conditional \`PutItem\` before deleting anything, deletes in \`TransactWriteItems\`
(guards, partition, profile, and the data key each in their own), and ends by writing a destruction certificate together with an audit entry in one more transaction.
Per erasure the store was called ${perErasure(c.total)} times: ${perErasure(c.get)} \`GetItem\`, ${perErasure(c.query)} \`Query\` and ${perErasure(c.transact)} writes
(\`PutItem\` or \`TransactWriteItems\`; ${count(c.auditConflicts)} audit-sequence conflicts retried), against ${count(input.itemsPerCustomer)} \`DeleteItem\` on the raw side.
The key service was called ${count(input.keyCalls.total)} times over the ${count(consumer.count)} measured erasures (the blind-index key that names the certificate's subject is cached).

**Access export.** One customer created through the container with one consent and one interaction made by \`container.interactions.create\`,
then ${count(settings.exportInteractions - 1)} copies of that interaction's stored item under new ids and times (its sealed fields kept: they were sealed
for this customer's id and the field names, not the record's id, so every copy opens; the content hash repeats, which the export does not check).
An access request made by \`container.requests.create\`, identity verified by an agent and approved by the DPO (\`container.requests.transition\`),
then \`container.requests.export(id, { actor: { id: 'dpo', role: 'dpo' }, purpose: 'bench' })\` timed on the service (no HTTP).
Size is the UTF-8 length of \`JSON.stringify\` of the document (${mib(main.bytes)} MiB for the first), timed apart from the export;
*As Lambda response* is the API function's result as the Lambda runtime sends it back — \`{ statusCode, headers, body }\` with the document
as the JSON-string body (\`functions/http/handler.ts\`), so every quote in it is escaped once more (${mib(main.lambdaBytes)} MiB for the first).

${exportTable}

The export read ${count(main.interactions)} interactions in ${fixed(main.seconds, 2)} s (${rate(main.interactions / main.seconds)} interactions/s) against DynamoDB Local.
It checks the profile once and reads the interactions in pages under one key and one \`interaction.list\` audit entry:
${count(main.calls.get)} \`GetItem\`, ${count(main.calls.query)} \`Query\` and ${count(main.calls.transact)} writes for one export.
${lambdaNote}
${capNote}
`;
}
