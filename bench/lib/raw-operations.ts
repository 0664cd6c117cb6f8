import { randomInt, randomUUID } from 'node:crypto';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDynamoClient } from '../../shared/runtime/index.js';
import { runConcurrent, type Timings } from './measure.js';

/**
 * Real items the API wrote, read back after the warm-up, that the floors copy under fresh
 * keys: so the raw calls write the same tables, indexes and item sizes as the API does.
 */
export interface FloorTemplates {
  tables: { data: string; keys: string; audit: string };
  profile: Record<string, unknown>;
  history: Record<string, unknown>;
  dataKey: Record<string, unknown>;
  emailGuard: Record<string, unknown>;
  phoneGuard: Record<string, unknown>;
  auditEntry: Record<string, unknown>;
}

/** The floors the API's audited read and create are measured against, each one operation. */
export interface FloorOperations {
  /** The read's: a consistent `GetItem` of `id`'s profile and an audit entry's conditional `PutItem`, in parallel or one after the other. */
  auditedGet(id: string, parallel: boolean): Promise<void>;
  /**
   * The create's: one `TransactWriteItems` of the six items a create writes (data key,
   * profile, history entry, email and phone guards, audit entry), each conditional as the
   * API's; with `readFirst`, a `BatchGetItem` of the guards and a counter `UpdateItem` before it.
   */
  create(readFirst: boolean): Promise<void>;
}

const absent = { ConditionExpression: 'attribute_not_exists(pk)' };
/** A chain no audit trail appends to or verifies: the floors' entries never touch a real chain. */
const RAW_CHAIN = 'CHAIN#raw-floor';

export function floorOperations(doc: DynamoDBDocumentClient, t: FloorTemplates): FloorOperations {
  // Sequence numbers from a random start: another worker on the same tables would not collide.
  let auditSeq = randomInt(1, 1e11);
  const auditItem = () => {
    const seq = ++auditSeq;
    return { ...t.auditEntry, pk: RAW_CHAIN, sk: String(seq).padStart(12, '0'), seq };
  };
  const putAudit = () => doc.send(new PutCommand({ TableName: t.tables.audit, Item: auditItem(), ...absent }));
  const getProfile = async (id: string) => {
    const out = await doc.send(new GetCommand({ TableName: t.tables.data, Key: { pk: `CUSTOMER#${id}`, sk: 'PROFILE' }, ConsistentRead: true }));
    if (out.Item?.id !== id) throw new Error(`Raw GetItem of ${id} did not return its profile.`);
  };

  return {
    async auditedGet(id, parallel) {
      if (parallel) await Promise.all([getProfile(id), putAudit()]);
      else {
        await getProfile(id);
        await putAudit();
      }
    },
    async create(readFirst) {
      const id = randomUUID();
      const contact = randomUUID();
      const emailGuard = { ...t.emailGuard, pk: `EMAIL#raw-${contact}`, customerId: id };
      const phoneGuard = { ...t.phoneGuard, pk: `PHONE#raw-${contact}`, customerId: id };
      if (readFirst) {
        await Promise.all([
          doc.send(new BatchGetCommand({ RequestItems: { [t.tables.data]: { Keys: [emailGuard, phoneGuard].map(({ pk }) => ({ pk, sk: 'GUARD' })) } } })),
          doc.send(
            new UpdateCommand({
              TableName: t.tables.data,
              Key: { pk: 'COUNTER#raw-floor', sk: 'COUNTER' },
              UpdateExpression: 'ADD #v :one',
              ExpressionAttributeNames: { '#v': 'value' },
              ExpressionAttributeValues: { ':one': 1 },
              ReturnValues: 'UPDATED_NEW',
            }),
          ),
        ]);
      }
      const put = (TableName: string, Item: Record<string, unknown>) => ({ Put: { TableName, Item, ...absent } });
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            put(t.tables.keys, { ...t.dataKey, pk: id }),
            put(t.tables.data, { ...t.profile, pk: `CUSTOMER#${id}`, id }),
            put(t.tables.data, { ...t.history, pk: `CUSTOMER#${id}` }),
            put(t.tables.data, emailGuard),
            put(t.tables.data, phoneGuard),
            put(t.tables.audit, auditItem()),
          ],
        }),
      );
    },
  };
}

/** The floor jobs a DynamoDB load worker runs (see load.ts). */
export type FloorJob =
  /** `auditedGet` of each id: the read's floor (`parallel`), or its audit write after the read. */
  | { op: 'floor-get'; concurrency: number; ids: string[]; parallel: boolean }
  /** `count` creates' floors, with or without the guard read and counter update first. */
  | { op: 'floor-create'; concurrency: number; count: number; readFirst: boolean };

let floors: FloorOperations | undefined;

/** Runs a floor job on the worker's DynamoDB target, timing each operation. */
export async function runFloorJob(target: { endpoint: string; region: string; floors?: FloorTemplates }, job: FloorJob): Promise<Timings> {
  if (!target.floors) throw new Error('This DynamoDB load worker was started without floor templates.');
  if (!floors) {
    const client = createDynamoClient({ region: target.region, dynamodbEndpoint: target.endpoint });
    floors = floorOperations(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }), target.floors);
  }
  const ops = floors;
  return job.op === 'floor-get'
    ? runConcurrent(job.ids.length, job.concurrency, (i) => ops.auditedGet(job.ids[i]!, job.parallel))
    : runConcurrent(job.count, job.concurrency, () => ops.create(job.readFirst));
}
