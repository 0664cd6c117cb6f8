import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditEntryOfImage, createAuditStreamConsumer } from '../../functions/audit-stream/handler.js';
import { createObservability } from '../../functions/http/index.js';
import { LocalAuditStream } from '../../local/audit-stream.js';
import { AccessDetector, defaultThresholds, FindingRepository } from '../../shared/contexts/security/index.js';
import { AuditKeys, AuditRepository, AuditTrail, type AuditEntry } from '../../shared/platform/audit/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { systemClock, type Store } from '../../shared/platform/ports/index.js';
import { auditTable, DynamoStore, physicalTableName } from '../../shared/platform/store/index.js';
import { freshTables } from '../support/dynamo.js';

/**
 * The audit table's stream, locally (SEC-6): entries the real audit trail writes reach the
 * stream consumer through DynamoDB Local's stream, in order, batch by batch as Lambda hands
 * them; a reported failure is handed again from that record, and a restart goes on from the
 * checkpoint without handing anything twice.
 */
let store: Store;
let trail: AuditTrail;
let endpoint: string;
let tableName: string;
const streams: LocalAuditStream[] = [];

beforeAll(async () => {
  const tables = await freshTables();
  endpoint = tables.endpoint;
  tableName = physicalTableName(tables.prefix, auditTable);
  store = new DynamoStore(tables.client, tables.prefix);
  trail = new AuditTrail(
    { repository: new AuditRepository(store), store, clock: systemClock, keys: new AuditKeys(new LocalKeyService(Buffer.alloc(32, 7))) },
    { chains: 4, maxVerifyDays: 31, verifyPageEntries: 1000 },
  );
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
});

/** Writes entries one after the other, each naming its place in `targetId`. */
async function write(label: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${label}-${String(i).padStart(3, '0')}`);
  for (const id of ids) await trail.record({ actor: { id: 'agent-stream', role: 'agent' }, purpose: 'service' }, [{ action: 'customer.read', target: { type: 'customer', id } }]);
  return ids;
}

type Consumer = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

function stream(checkpointFile: string, consumer: Consumer, more: { maxRetries?: number; log?: (m: string, f: Record<string, unknown>) => void } = {}): LocalAuditStream {
  const s = new LocalAuditStream({ dynamodbEndpoint: endpoint, tableName, checkpointFile, consumer, pollMs: 20, batchSize: 7, ...more });
  streams.push(s);
  s.start();
  return s;
}

/** A consumer that keeps the entries it was handed, in order. */
function collecting(): { consumer: Consumer; seen: AuditEntry[]; events: DynamoDBStreamEvent[] } {
  const seen: AuditEntry[] = [];
  const events: DynamoDBStreamEvent[] = [];
  return {
    seen,
    events,
    consumer: async (event) => {
      events.push(event);
      for (const record of event.Records) {
        const entry = auditEntryOfImage(record.dynamodb!.NewImage!);
        if (entry) seen.push(entry);
      }
      return { batchItemFailures: [] };
    },
  };
}

const checkpointFile = () => join(mkdtempSync(join(tmpdir(), 'kehu-audit-stream-')), 'checkpoint.json');
const mine = (entries: AuditEntry[], label: string) => entries.map((e) => e.targetId).filter((id) => id.startsWith(`${label}-`));

describe('LocalAuditStream', () => {
  it('hands the entries the trail writes to the consumer in order, as Lambda shapes them, and resumes from its checkpoint', async () => {
    const file = checkpointFile();
    const first = collecting();
    const s = stream(file, first.consumer);
    const written = await write('a', 20);
    await s.drain();
    expect(mine(first.seen, 'a')).toEqual(written);
    const record = first.events[0]!.Records[0]!;
    expect(record).toMatchObject({ eventName: 'INSERT', eventSource: 'aws:dynamodb', eventSourceARN: expect.stringContaining(tableName) });
    expect(record.dynamodb?.SequenceNumber).toEqual(expect.any(String));
    expect(first.events.every((e) => e.Records.length <= 7)).toBe(true);
    const entry = first.seen.find((e) => e.targetId === written[0])!;
    expect(entry).toMatchObject({ format: 'kehu-audit-2', actor: 'agent-stream', role: 'agent', action: 'customer.read', targetType: 'customer', mac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(entry).not.toHaveProperty('pk');
    expect(entry).not.toHaveProperty('gsi1pk');
    await s.close();

    // Written while nothing reads the stream: the next run hands these, and only these.
    const later = await write('b', 9);
    const second = collecting();
    const restarted = stream(file, second.consumer);
    await restarted.drain();
    expect(mine(second.seen, 'b')).toEqual(later);
    expect(mine(second.seen, 'a')).toEqual([]);
  });

  it('hands a batch again from the record that failed, and skips it after its retries', async () => {
    // Positions from the last checkpoint of a run that read everything so far.
    const file = checkpointFile();
    const warm = collecting();
    const w = stream(file, warm.consumer);
    await w.drain();
    await w.close();

    const seen: string[] = [];
    const attempts = new Map<string, number>();
    const consumer: Consumer = async (event) => {
      for (const record of event.Records) {
        const entry = auditEntryOfImage(record.dynamodb!.NewImage!)!;
        const tries = (attempts.get(entry.targetId) ?? 0) + 1;
        attempts.set(entry.targetId, tries);
        // c-003 fails once; d-002 fails every time.
        if ((entry.targetId === 'c-003' && tries === 1) || entry.targetId === 'd-002') return { batchItemFailures: [{ itemIdentifier: record.dynamodb!.SequenceNumber! }] };
        seen.push(entry.targetId);
      }
      return { batchItemFailures: [] };
    };
    // Written before the stream starts, so its batches (of 7) are known: c-000..d-001, then d-002, d-003.
    const c = await write('c', 5);
    await write('d', 4);
    const logged: Array<Record<string, unknown>> = [];
    const s = stream(file, consumer, { maxRetries: 2, log: (message, fields) => logged.push({ message, ...fields }) });
    await s.drain();
    expect(seen.filter((id) => id.startsWith('c-'))).toEqual(c);
    expect(attempts.get('c-003')).toBe(2);
    expect(attempts.get('c-002')).toBe(1);
    expect(attempts.get('d-002')).toBe(3);
    expect(logged).toEqual([expect.objectContaining({ message: 'audit stream batch skipped after its retries', records: 2 })]);
    // Skipped with the rest of its batch, as a DLQ would take it; what follows is handed on.
    expect(seen.filter((id) => id.startsWith('d-'))).toEqual(['d-000', 'd-001']);
    const e = await write('e', 2);
    await s.drain();
    expect(seen.filter((id) => id.startsWith('e-'))).toEqual(e);
  });
});

describe('the audit stream consumer', () => {
  it('feeds the detector with the INSERTs of entries, counts what it saw, and reports a failed batch from its first record', async () => {
    const addMetric = vi.spyOn(Metrics.prototype, 'addMetric');
    const observability = await createObservability('audit-stream');
    const findings = new FindingRepository(store, 4);
    const detector = new AccessDetector({ store, clock: systemClock, thresholds: { ...defaultThresholds, readsPerHourMin: 3, incidentLevel: 'off' }, findings });
    const consumer = createAuditStreamConsumer({ accessDetector: detector }, observability);
    const collected = collecting();
    const s = stream(checkpointFile(), async (event) => {
      await collected.consumer(event);
      return consumer(event);
    });
    await write('f', 6);
    await s.drain();
    const observed = addMetric.mock.calls.filter(([name]) => name === 'AuditEntriesObserved').reduce((sum, [, , value]) => sum + Number(value), 0);
    expect(observed).toBe(collected.seen.length);
    expect(addMetric.mock.calls.some(([name, , value]) => name === 'SecurityFindings' && Number(value) > 0)).toBe(true);
    expect(addMetric.mock.calls.some(([name]) => name === 'SecurityFindingsHigh')).toBe(true);

    const failing = createAuditStreamConsumer({ accessDetector: { observe: () => Promise.reject(new Error('store down')) } as unknown as AccessDetector }, observability);
    const event = collected.events[collected.events.length - 1]!;
    expect(await failing(event)).toEqual({ batchItemFailures: [{ itemIdentifier: event.Records[0]!.dynamodb!.SequenceNumber }] });
    const ignored = await failing({ Records: [{ ...event.Records[0]!, eventName: 'REMOVE' }] });
    expect(ignored).toEqual({ batchItemFailures: [] });
    addMetric.mockRestore();
  });
});
