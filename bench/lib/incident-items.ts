import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { AuditEntry, AuditRepository } from '../../shared/platform/audit/index.js';
import type { StoreItem } from '../../shared/platform/ports/index.js';
import { shardPartition } from '../../shared/platform/store/sharded.js';

/**
 * Audit entries the incidents benchmark writes raw: a large trail spread over many actors
 * with a few suspects whose reads an incident scopes, and the batches the access detector
 * is timed over. Every item is the one `AuditRepository.appendWrites` builds (keys and the
 * three index keys), so the queries read what production ones read.
 */

/** Chains far above the trail's own (0 to chains - 1): seeded entries never meet a live append. */
export const SEED_CHAIN_BASE = 100_000;
const BACKGROUND_CHAINS = 64;
const SUSPECT_CHAIN = SEED_CHAIN_BASE + BACKGROUND_CHAINS;
const DETECTOR_CHAIN = SEED_CHAIN_BASE + 1_000;
/** The entries are never verified: a MAC of the right shape is enough. */
const MAC = 'ab'.repeat(32);
const HOUR_MS = 3_600_000;

const entry = (fields: Pick<AuditEntry, 'chain' | 'seq' | 'at' | 'actor' | 'role' | 'action' | 'targetType' | 'targetId'> & { purpose?: string }): AuditEntry => ({
  format: 'kehu-audit-2',
  purpose: 'service',
  requestId: randomUUID(),
  prevMac: MAC,
  mac: MAC,
  ...fields,
});

/** One suspect: an actor whose reads of `customers` (one entry each) sit in the window. */
export interface Suspect {
  actor: string;
  customers: readonly string[];
}

/** The trail: background entries over `days` before `end`, then the suspects' entries in `window`. */
export interface TrailPlan {
  entries: number;
  background: number;
  actors: number;
  days: number;
  end: Date;
  window: { from: string; to: string };
  suspects: readonly Suspect[];
}

/** Staff roles of the background actors, most of them agents. */
const ROLES = ['agent', 'agent', 'agent', 'agent', 'agent', 'agent', 'agent', 'marketer', 'analyst', 'dpo'];
/** What staff do to records, mostly reading them. */
const ACTIONS: Array<[string, string]> = [
  ['customer.read', 'customer'], ['customer.read', 'customer'], ['customer.read', 'customer'], ['customer.read', 'customer'],
  ['customer.read', 'customer'], ['customer.read', 'customer'], ['customer.history', 'customer'], ['interaction.list', 'customer'],
  ['customer.update', 'customer'], ['complaint.read', 'complaint'],
];

/**
 * A trail of `entries` entries: the suspects' reads (one per customer they read, spread over
 * the two hours ending an hour before `end`) and the rest spread evenly over `days` by
 * `actors` other staff accounts.
 */
export function planTrail(entries: number, actors: number, days: number, end: Date, suspects: readonly Suspect[]): TrailPlan {
  const suspectEntries = suspects.reduce((sum, s) => sum + s.customers.length, 0);
  const background = entries - suspectEntries;
  if (background < 0) throw new Error(`A trail of ${entries} entries cannot hold the suspects' ${suspectEntries}.`);
  const to = new Date(end.getTime() - HOUR_MS);
  const from = new Date(to.getTime() - 2 * HOUR_MS);
  return { entries, background, actors, days, end, window: { from: from.toISOString(), to: to.toISOString() }, suspects };
}

/** Entry `i` of the trail (0 to entries - 1), built when asked for: a million never sit in memory at once. */
export function trailEntry(plan: TrailPlan, i: number): AuditEntry {
  if (i < plan.background) {
    const span = plan.days * 24 * HOUR_MS;
    const at = new Date(plan.end.getTime() - span + Math.floor((i * span) / plan.background)).toISOString();
    const actor = i % plan.actors;
    const [action, targetType] = ACTIONS[Math.floor(i / plan.actors) % ACTIONS.length]!;
    return entry({
      chain: SEED_CHAIN_BASE + (i % BACKGROUND_CHAINS),
      seq: Math.floor(i / BACKGROUND_CHAINS) + 1,
      at,
      actor: `staff-${actor}`,
      role: ROLES[actor % ROLES.length]!,
      action,
      targetType,
      targetId: randomUUID(),
    });
  }
  let rest = i - plan.background;
  const windowMs = Date.parse(plan.window.to) - Date.parse(plan.window.from);
  for (const [k, suspect] of plan.suspects.entries()) {
    const n = suspect.customers.length;
    if (rest >= n) {
      rest -= n;
      continue;
    }
    return entry({
      chain: SUSPECT_CHAIN + k,
      seq: rest + 1,
      at: new Date(Date.parse(plan.window.from) + Math.floor(((rest + 0.5) * windowMs) / n)).toISOString(),
      actor: suspect.actor,
      role: 'agent',
      action: 'customer.read',
      targetType: 'customer',
      targetId: suspect.customers[rest]!,
    });
  }
  throw new RangeError(`No entry ${i} in a trail of ${plan.entries}.`);
}

/** The stored item of an entry, as the repository puts it. */
export const storedItem = (repository: AuditRepository, e: AuditEntry): StoreItem => {
  const [write] = repository.appendWrites([e]);
  if (write?.op !== 'put') throw new Error('appendWrites did not answer a put.');
  return write.item;
};

/**
 * The raw floor of an actor's entries in a window: one `Query` per shard (and the legacy
 * unsharded key, as the repository reads it), all in parallel, each read to its end in
 * pages of up to 1 MB. Answers the entries read.
 */
export async function rawActorQuery(doc: DynamoDBDocumentClient, table: string, actor: string, shards: number, window: { from: string; to: string }): Promise<number> {
  const prefix = `ACTOR#${actor}`;
  const partitions = [...Array.from({ length: shards }, (_, n) => shardPartition(prefix, n)), prefix];
  const counts = await Promise.all(
    partitions.map(async (partition) => {
      let read = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const out = await doc.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :p AND gsi2sk BETWEEN :from AND :to',
            FilterExpression: 'actor = :actor',
            ExpressionAttributeValues: { ':p': partition, ':from': window.from, ':to': `${window.to}~`, ':actor': actor },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        read += out.Items?.length ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      return read;
    }),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * One stream batch's entries as the audit table hands them on: staff reading records (most
 * entries), some changes and exports, customers on their own record through self-service,
 * wrong one-time codes from a few sources, and the system's own work. `hourStart` is a
 * business hour, so the off-hours rule counts nothing: the figure is the common case.
 */
export function detectorBatch(batch: number, size: number, actors: number, hourStart: number, batchesPerHour: number): AuditEntry[] {
  const slot = HOUR_MS / batchesPerHour;
  const base = hourStart + Math.floor(batch / batchesPerHour) * HOUR_MS + (batch % batchesPerHour) * slot;
  return Array.from({ length: size }, (_, k) => {
    const n = batch * size + k;
    const at = new Date(base + Math.floor((k * slot) / size)).toISOString();
    const common = { chain: DETECTOR_CHAIN, seq: n + 1, at };
    // What the entry is, independent of whose it is: every account reads, and some change records.
    const kind = (Math.imul(n + 1, 2_654_435_761) >>> 0) % 100;
    const staff = n % actors;
    const role = ROLES[staff % ROLES.length]!;
    if (kind < 86) return entry({ ...common, actor: `staff-${staff}`, role, action: kind % 7 === 0 ? 'customer.history' : 'customer.read', targetType: 'customer', targetId: randomUUID() });
    if (kind < 92) return entry({ ...common, actor: `staff-${staff}`, role, action: 'customer.update', targetType: 'customer', targetId: randomUUID() });
    if (kind < 93) return entry({ ...common, actor: 'staff-exporter', role: 'dpo', action: 'export.customer', targetType: 'customer', targetId: randomUUID() });
    if (kind < 96) {
      const customer = randomUUID();
      return entry({ ...common, actor: customer, role: 'customer', action: 'customer.read', targetType: 'customer', targetId: customer, purpose: 'self-service' });
    }
    if (kind < 98) return entry({ ...common, actor: `source:${(n % 16).toString(16).padStart(16, '0')}`, role: 'anonymous', action: 'self.code.rejected', targetType: 'customer', targetId: randomUUID(), purpose: 'self-service' });
    return entry({ ...common, actor: 'retention-sweep', role: 'system', action: 'customer.erase', targetType: 'customer', targetId: randomUUID() });
  });
}

/** The stream records of a batch's entries: INSERTs carrying the stored item as the new image. */
export function streamRecords(repository: AuditRepository, entries: readonly AuditEntry[]): DynamoDBRecord[] {
  return entries.map((e) => {
    const image = marshall(storedItem(repository, e), { removeUndefinedValues: true }) as Record<string, AttributeValue>;
    return {
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      dynamodb: { NewImage: image as NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>, SequenceNumber: String(e.seq), StreamViewType: 'NEW_IMAGE' },
    };
  });
}
