import { randomInt, randomUUID } from 'node:crypto';
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { complaintKey, complaintPointerKey, COMPLAINT_OVERDUE, type ComplaintFields, type ComplaintItem, type ComplaintRepository } from '../../shared/contexts/complaints/index.js';
import { openComplaint, sealComplaint } from '../../shared/contexts/complaints/sealing.js';
import { statsKey } from '../../shared/contexts/complaints/stats.js';
import { shardOf, shardPartition } from '../../shared/platform/store/sharded.js';
import { auditTable, dataTable, physicalTableName } from '../../shared/platform/store/tables.js';
import { runConcurrent } from './measure.js';

type Item = Record<string, unknown>;

/**
 * Real items a complaint intake wrote, read back after the warm-up (once, unmeasured): the
 * raw intake floor and the seeded populations copy them under fresh keys, so their tables,
 * indexes and sizes are the service's own.
 */
export interface ComplaintTemplates {
  tables: { data: string; audit: string };
  /** One stored complaint of each customer: its sealed texts open only under that customer. */
  complaints: ComplaintItem[];
  /** Each template's customer key: a copy's texts are sealed again under its own id, to which they are bound. */
  keys: Buffer[];
  pointer: Item;
  auditEntry: Item;
}

/** A chain no audit trail appends to or verifies: the floor's entries never touch a real chain. */
const RAW_CHAIN = 'CHAIN#raw-complaint-floor';
const absent = { ConditionExpression: 'attribute_not_exists(pk)' };
/** The reference numbers of the copies start here, far above any the counter hands out in a run. */
const COPY_REFERENCE_BASE = 9_000_000;

export async function complaintTemplates(
  doc: DynamoDBDocumentClient,
  prefix: string,
  created: Array<{ customerId: string; id: string }>,
  keyOf: (customerId: string) => Promise<Buffer>,
): Promise<ComplaintTemplates> {
  const tables = { data: physicalTableName(prefix, dataTable), audit: physicalTableName(prefix, auditTable) };
  const get = async (Key: Item, what: string): Promise<Item> => {
    const out = await doc.send(new GetCommand({ TableName: tables.data, Key, ConsistentRead: true }));
    if (!out.Item) throw new Error(`No ${what} in ${tables.data}.`);
    return out.Item;
  };
  const complaints: ComplaintItem[] = [];
  for (const { customerId, id } of created) complaints.push((await get(complaintKey(customerId, id), `complaint ${id}`)) as ComplaintItem);
  const first = created[0];
  if (!first) throw new Error('The complaint templates need at least one complaint taken in.');
  // Any intake's entry will do: entries differ only in their ids, time and chain position.
  let auditEntry: Item | undefined;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tables.audit,
        FilterExpression: '#a = :a',
        ExpressionAttributeNames: { '#a': 'action' },
        ExpressionAttributeValues: { ':a': 'complaint.create' },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    auditEntry = page.Items?.[0];
    start = page.LastEvaluatedKey;
  } while (!auditEntry && start);
  if (!auditEntry) throw new Error(`No complaint.create audit entry in ${tables.audit}.`);
  const keys = await Promise.all(complaints.map((c) => keyOf(c.customerId)));
  return { tables, complaints, keys, pointer: await get(complaintPointerKey(first.id), 'complaint pointer'), auditEntry };
}

/** Template `index` under a fresh id and reference, its texts sealed again for that id. */
function copyOf(t: ComplaintTemplates, index: number, id: string, reference: string): ComplaintFields {
  const template = t.complaints[index]!;
  const key = t.keys[index]!;
  const { sealed, history } = sealComplaint(key, { ...openComplaint(key, template), id, reference }, undefined);
  return { ...(template as ComplaintFields), id, reference, sealed, history };
}

/** A stored complaint under a fresh id and reference, its index keys derived by the repository's own `write()`. */
function indexed(repository: ComplaintRepository, fields: ComplaintFields): Item {
  const write = repository.write(fields);
  if (write.op !== 'put') throw new Error('The repository wrote a complaint as something else than a put.');
  return write.item;
}

/**
 * The intake's floor: one `TransactWriteItems` of the four items an intake's transaction
 * writes (the complaint, its pointer, the day's report counters, the audit entry), each
 * conditional as the service's. Built beforehand, so that only the call is timed.
 */
export function intakeFloor(doc: DynamoDBDocumentClient, t: ComplaintTemplates, repository: ComplaintRepository, counters: Record<string, number>, day: string) {
  let auditSeq = randomInt(1, 1e11);
  let copy = 0;
  const build = (): TransactWriteCommandInput => {
    const index = copy++ % t.complaints.length;
    const template = t.complaints[index]!;
    const id = randomUUID();
    const reference = `TS-${template.reference.slice(3, 7)}-${COPY_REFERENCE_BASE + copy}`;
    const complaint = indexed(repository, copyOf(t, index, id, reference));
    const seq = ++auditSeq;
    const names = Object.keys(counters);
    return {
      TransactItems: [
        { Put: { TableName: t.tables.data, Item: complaint, ...absent } },
        { Put: { TableName: t.tables.data, Item: { ...t.pointer, ...complaintPointerKey(id), customerId: template.customerId, reference }, ...absent } },
        {
          Update: {
            TableName: t.tables.data,
            Key: statsKey(day, shardOf(id, repository.shards)),
            UpdateExpression: `ADD ${names.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
            ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#c${i}`, name])),
            ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:c${i}`, counters[name]])),
          },
        },
        { Put: { TableName: t.tables.audit, Item: { ...t.auditEntry, pk: RAW_CHAIN, sk: String(seq).padStart(12, '0'), seq }, ...absent } },
      ],
    };
  };
  // Intakes of the same day and shard add to one counter item: a transaction that met another on it is sent again, as the store does.
  const send = async (input: TransactWriteCommandInput) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await doc.send(new TransactWriteCommand(input));
        return;
      } catch (error) {
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
        if ((error as Error).name !== 'TransactionCanceledException' || attempt >= 5 || !reasons.some((r) => r.Code === 'TransactionConflict')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 + 10 * 2 ** attempt * Math.random()));
      }
    }
  };
  return { build, send };
}

const shift = (iso: string | undefined, ms: number) => (iso === undefined ? undefined : new Date(Date.parse(iso) - ms).toISOString());
const DAY_MS = 86_400_000;

/** Whether copy `i` of a population with this overdue share is an overdue one (spread evenly). */
export const isOverdueCopy = (i: number, share: number) => Math.floor((i + 1) * share) > Math.floor(i * share);

/**
 * Copy `i`: a stored complaint under a fresh id and reference. An overdue one was received
 * 1 to 60 days earlier (every time in it moved back alike) and its deadlines passed by now
 * are missed; the others are the template as it is, open with their deadlines ahead.
 */
export function complaintCopy(t: ComplaintTemplates, repository: ComplaintRepository, i: number, overdue: boolean, now: number): Item {
  const index = i % t.complaints.length;
  const template = t.complaints[index]!;
  const fields = copyOf(t, index, randomUUID(), `TS-${template.reference.slice(3, 7)}-${COPY_REFERENCE_BASE + 1_000_000 + i}`);
  if (!overdue) return indexed(repository, fields);
  const back = (1 + (i % 60)) * DAY_MS + (i % 1440) * 60_000;
  const milestones = Object.fromEntries(
    Object.entries(fields.milestones).map(([name, m]) => {
      const dueAt = shift(m.dueAt, back);
      const missed = m.state === 'active' && dueAt !== undefined && Date.parse(dueAt) <= now;
      return [name, { ...m, ...(dueAt ? { dueAt } : {}), ...(missed ? { state: 'missed' as const } : {}) }];
    }),
  ) as ComplaintFields['milestones'];
  return indexed(repository, {
    ...fields,
    receivedAt: shift(fields.receivedAt, back)!,
    milestones,
    history: fields.history.map((entry) => ({ ...entry, at: shift(entry.at, back)! })),
    notices: fields.notices.map((n) => (n.lastAttemptAt ? { ...n, lastAttemptAt: shift(n.lastAttemptAt, back)! } : n)),
    ...(fields.nextCheckAt ? { nextCheckAt: shift(fields.nextCheckAt, back)! } : {}),
  });
}

/** `BatchWriteItem` puts of `items`, 25 a call, `parallel` calls in flight, unprocessed items sent again. */
export async function batchPut(doc: DynamoDBDocumentClient, table: string, count: number, itemAt: (i: number) => Item, parallel = 8): Promise<void> {
  const calls = Math.ceil(count / 25);
  await runConcurrent(calls, parallel, async (c) => {
    let requests = Array.from({ length: Math.min(25, count - c * 25) }, (_, k) => ({ PutRequest: { Item: itemAt(c * 25 + k) } }));
    for (let attempt = 0; requests.length; attempt++) {
      if (attempt > 10) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed.`);
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
      requests = (out.UnprocessedItems?.[table] ?? []) as typeof requests;
    }
  });
}

/** `n` split into `parts` near-equal whole numbers. */
const split = (n: number, parts: number) => Array.from({ length: parts }, (_, i) => Math.floor(((i + 1) * n) / parts) - Math.floor((i * n) / parts));

/**
 * The counters of one day in one shard that `received` complaints leave behind over their
 * lives (stats.ts names): every name every time, so that the cells of a small and a large
 * population are alike in shape and differ in their numbers only.
 */
export function dayCounters(received: number): Record<string, number> {
  const c: Record<string, number> = { received };
  const spread = (prefix: string, codes: string[], total: number) => split(total, codes.length).forEach((v, i) => (c[`${prefix}${codes[i]}`] = v));
  spread('category:', ['service', 'product-quality', 'billing', 'delivery', 'staff-conduct', 'privacy', 'other'], received);
  spread('channel:', ['phone', 'online-form', 'email', 'in-person', 'social', 'letter'], received);
  spread('severity:', ['low', 'medium', 'high', 'critical'], received);
  spread('department:', ['customer-service', 'logistics', 'billing', 'data-protection'], received);
  const acknowledged = Math.floor(received * 0.95);
  const resolved = Math.floor(received * 0.8);
  c.acknowledged = acknowledged;
  spread('tta:b', ['4', '6', '8', '10', '12', '14', '17'], acknowledged);
  c.resolved = resolved;
  spread('ttr:b', ['12', '15', '17', '18', '19', '20', '21', '22'], resolved);
  spread('cause:', ['courier-delay', 'billing-error', 'staff-training', 'product-defect', 'unclear-policy', 'system-outage'], resolved);
  for (const name of ['acknowledge', 'firstResponse', 'resolve']) {
    c[`met:${name}`] = Math.floor(resolved * 0.85);
    c[`missed:${name}`] = resolved - Math.floor(resolved * 0.85);
  }
  const followUps = Math.floor(resolved * 0.7);
  c.followUps = followUps;
  spread('followUp:', ['satisfied', 'not-satisfied', 'unreachable'], followUps);
  const rated = c['followUp:satisfied']! + c['followUp:not-satisfied']!;
  const ratings = split(rated, 5);
  ratings.forEach((v, i) => (c[`rating:${i + 1}`] = v));
  c.ratingCount = rated;
  c.ratingSum = ratings.reduce((sum, v, i) => sum + v * (i + 1), 0);
  c.reopened = Math.floor(resolved * 0.05);
  spread('escalated:', ['1', '2', '3'], Math.floor(received * 0.2));
  return c;
}

/** The stats item keys of `days` local days from `from`, every shard of each. */
export function statsKeys(days: string[], shards: number): Item[] {
  return days.flatMap((day) => Array.from({ length: shards }, (_, shard) => statsKey(day, shard)));
}

/** Day x shard counter items whose `received` sum to `total` (written raw, replacing what was there). */
export async function seedStats(doc: DynamoDBDocumentClient, table: string, days: string[], shards: number, total: number): Promise<void> {
  const keys = statsKeys(days, shards);
  const received = split(total, keys.length);
  await batchPut(doc, table, keys.length, (i) => ({ ...keys[i]!, ...dayCounters(received[i]!) }));
}

/** The report's floor: a `BatchGetItem` of every key, 100 a call, 4 calls in flight (as the reader), unprocessed keys asked again. */
export async function rawBatchGet(doc: DynamoDBDocumentClient, table: string, keys: Item[]): Promise<number> {
  const chunks: Item[][] = [];
  for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
  let found = 0;
  for (let i = 0; i < chunks.length; i += 4) {
    await Promise.all(
      chunks.slice(i, i + 4).map(async (chunk) => {
        let wanted = chunk;
        while (wanted.length) {
          const out = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: wanted } } }));
          found += out.Responses?.[table]?.length ?? 0;
          wanted = (out.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
        }
      }),
    );
  }
  return found;
}

/** The listing's floor: one `Query` of one shard of the overdue index, longest overdue first. */
export async function rawOverdueQuery(doc: DynamoDBDocumentClient, table: string, shard: number, limit: number): Promise<number> {
  const out = await doc.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi4',
      KeyConditionExpression: 'gsi4pk = :p',
      ExpressionAttributeValues: { ':p': shardPartition(COMPLAINT_OVERDUE, shard) },
      Limit: limit,
    }),
  );
  return out.Items?.length ?? 0;
}
