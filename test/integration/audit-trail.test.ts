import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UpdateItemCommand, DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditKeys, AuditRepository, AuditTrail, legacyEntryHash, VerificationRangeError, type AuditEntry, type AuditTrailOptions } from '../../shared/platform/audit/index.js';
import { FileAuditAnchor } from '../../shared/platform/anchors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { ConditionFailedError, systemClock, type AuditAnchor, type Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { freshTables } from '../support/dynamo.js';

/** The audit trail on DynamoDB Local: concurrent appends, atomicity, tamper detection. */
let client: DynamoDBClient;
let prefix: string;
let store: Store;
let trail: AuditTrail;
const options: AuditTrailOptions = { chains: 3, maxVerifyDays: 31, verifyPageEntries: 10_000 };
const keys = new AuditKeys(new LocalKeyService(Buffer.alloc(32, 3)));
const newTrail = (own: Store, more: { anchor?: AuditAnchor; options?: Partial<AuditTrailOptions>; transactOn?: Store } = {}) =>
  new AuditTrail(
    { repository: new AuditRepository(own), store: more.transactOn ?? own, clock: systemClock, keys, ...(more.anchor ? { anchor: more.anchor } : {}) },
    { ...options, ...more.options },
  );
const anchorFile = () => new FileAuditAnchor(join(mkdtempSync(join(tmpdir(), 'kehu-anchor-')), 'audit-checkpoints.log'));
const context = (i: number) => ({ actor: { id: `user-${i % 4}`, role: 'agent' as const, requestId: `req-${i}` }, purpose: 'service' });
const read = (id: string) => [{ action: 'customer.read', target: { type: 'customer', id } }];
const window = () => ({ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

beforeAll(async () => {
  ({ client, prefix } = await freshTables());
  store = new DynamoStore(client, prefix);
  trail = newTrail(store);
});

describe('AuditTrail on DynamoDB Local', () => {
  it('keeps every chain whole under many concurrent appends', async () => {
    await Promise.all(Array.from({ length: 60 }, (_, i) => trail.record(context(i), read(`c-${i}`))));
    const report = await trail.verify(window());
    expect(report).toMatchObject({ ok: true, entriesChecked: 60 });
    const listed = await trail.list({ target: { type: 'customer', id: 'c-7' } }, {}, { limit: 10 });
    expect(listed.items).toHaveLength(1);
    expect(listed.items[0]).toMatchObject({ actor: 'user-3', role: 'agent', purpose: 'service', action: 'customer.read', requestId: 'req-7' });
    const byActor = await trail.list({ actor: 'user-1' }, {}, { limit: 100 });
    expect(byActor.items).toHaveLength(15);
  });

  it('queues the appends of one process per chain, so they never lose a race to each other', async () => {
    let transactions = 0;
    const counting: Store = Object.create(store, {
      transact: {
        value: (writes: Parameters<Store['transact']>[0]) => {
          transactions += 1;
          return store.transact(writes);
        },
      },
    });
    const one = newTrail(store, { transactOn: counting });
    const before = (await one.verify(window())).entriesChecked;
    await Promise.all(Array.from({ length: 45 }, (_, i) => one.record(context(i), read(`q-${i}`))));
    // 45 appends over 3 chains, 15 deep: each sent once, none refused and retried.
    expect(transactions).toBe(45);
    expect(await one.verify(window())).toMatchObject({ ok: true, entriesChecked: before + 45 });
  });

  it('writes nothing when the change it records fails, and the change nothing when the entry fails', async () => {
    const before = (await trail.verify(window())).entriesChecked;
    const failingChange = trail.commit(context(1), read('c-x'), [
      { op: 'check', table: 'data', key: { pk: 'NOPE', sk: 'NOPE' }, condition: { kind: 'exists' }, label: 'profile' },
    ]);
    await expect(failingChange).rejects.toBeInstanceOf(ConditionFailedError);
    expect((await trail.verify(window())).entriesChecked).toBe(before);

    const broken = newTrail(store, { transactOn: { ...store, transact: () => Promise.reject(new Error('audit table down')) } as Store });
    await expect(broken.commit(context(2), read('c-y'), [{ op: 'put', table: 'data', item: { pk: 'CHANGE', sk: 'X' } }])).rejects.toThrow('audit table down');
    expect(await store.get('data', { pk: 'CHANGE', sk: 'X' })).toBeUndefined();
  });

  it('names an entry edited in the table, then one removed', async () => {
    const { TABLE } = { TABLE: `${prefix}-audit` };
    // An entry inside a chain (a removed tail is indistinguishable from one never written).
    const all = (await Promise.all([0, 1, 2, 3].map((u) => trail.list({ actor: `user-${u}` }, {}, { limit: 100 })))).flatMap((p) => p.items);
    const victim = all.find((e) => e.seq === 2)!;
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `CHAIN#${victim.chain}` }, sk: { S: String(victim.seq).padStart(12, '0') } },
        UpdateExpression: 'SET actor = :a',
        ExpressionAttributeValues: { ':a': { S: 'nobody' } },
      }),
    );
    const edited = await trail.verify(window());
    expect(edited.ok).toBe(false);
    expect(edited.firstFailure).toMatchObject({ chain: victim.chain, seq: victim.seq, reason: 'hash' });

    // Put it back, then remove another entry of a chain.
    await client.send(
      new UpdateItemCommand({
        TableName: TABLE,
        Key: { pk: { S: `CHAIN#${victim.chain}` }, sk: { S: String(victim.seq).padStart(12, '0') } },
        UpdateExpression: 'SET actor = :a',
        ExpressionAttributeValues: { ':a': { S: victim.actor } },
      }),
    );
    expect((await trail.verify(window())).ok).toBe(true);
    await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: `CHAIN#${victim.chain}` }, sk: { S: String(victim.seq).padStart(12, '0') } } }));
    const removed = await trail.verify(window());
    expect(removed.firstFailure).toMatchObject({ chain: victim.chain, seq: victim.seq, reason: 'missing' });
  });

  it('checks the content of audited subjects', async () => {
    const isolated = await freshTables();
    const own = new DynamoStore(isolated.client, isolated.prefix);
    const subjectTrail = newTrail(own);
    let content = 'hash-1';
    await subjectTrail.record(context(0), [{ action: 'interaction.create', target: { type: 'interaction', id: 'c-1/i-1' }, subjectHash: 'hash-1' }]);
    const resolvers = { interaction: async () => content };
    expect(await subjectTrail.verify(window(), resolvers)).toMatchObject({ ok: true, subjectsChecked: 1 });
    content = 'hash-2';
    expect((await subjectTrail.verify(window(), resolvers)).firstFailure).toMatchObject({ reason: 'subject', target: { type: 'interaction', id: 'c-1/i-1' } });
  });

  it('refuses a range that is too long or reversed', async () => {
    await expect(trail.verify({ from: '2026-01-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' })).rejects.toBeInstanceOf(VerificationRangeError);
    await expect(trail.verify({ from: '2026-03-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' })).rejects.toMatchObject({ field: 'to' });
  });

  it('detects an entry rewritten in the table with its hash and the later ones recomputed, as the unkeyed chain allowed', async () => {
    const isolated = await freshTables();
    const own = new DynamoStore(isolated.client, isolated.prefix);
    const single = newTrail(own, { options: { chains: 1 } });
    for (let i = 0; i < 5; i++) await single.record(context(i), read(`c-${i}`));
    expect(await single.verify(window())).toMatchObject({ ok: true, entriesChecked: 5 });
    const entries = await new AuditRepository(own).chainRange(0, 1, 5);
    let previous: AuditEntry | undefined = entries[1];
    for (const entry of entries.slice(2)) {
      const unsealed = { ...entry, ...(entry.seq === 3 ? { actor: 'nobody' } : {}), prevMac: previous!.mac };
      const rewritten = { ...unsealed, mac: legacyEntryHash(unsealed) };
      await isolated.client.send(
        new UpdateItemCommand({
          TableName: `${isolated.prefix}-audit`,
          Key: { pk: { S: 'CHAIN#0' }, sk: { S: String(entry.seq).padStart(12, '0') } },
          UpdateExpression: 'SET actor = :a, prevMac = :p, mac = :m',
          ExpressionAttributeValues: { ':a': { S: rewritten.actor }, ':p': { S: rewritten.prevMac }, ':m': { S: rewritten.mac } },
        }),
      );
      previous = rewritten;
    }
    expect((await single.verify(window())).firstFailure).toMatchObject({ chain: 0, seq: 3, reason: 'hash' });
  });

  it('anchors the chain heads and detects the newest entries removed after a checkpoint', async () => {
    const isolated = await freshTables();
    const own = new DynamoStore(isolated.client, isolated.prefix);
    const anchor = anchorFile();
    const anchored = newTrail(own, { anchor });
    for (let i = 0; i < 12; i++) await anchored.record(context(i), read(`c-${i}`));
    expect(await anchored.checkpoint()).toEqual({ written: true, chains: 3 });
    // Nothing moved since: no second checkpoint.
    expect(await anchored.checkpoint()).toEqual({ written: false, chains: 3 });
    const report = await anchored.verify(window());
    expect(report).toMatchObject({ ok: true, entriesChecked: 12, checkpoint: { chains: 3 } });

    const head = (await new AuditRepository(own).head(1))!;
    for (const seq of [head.seq, head.seq - 1]) {
      await isolated.client.send(
        new DeleteItemCommand({ TableName: `${isolated.prefix}-audit`, Key: { pk: { S: 'CHAIN#1' }, sk: { S: String(seq).padStart(12, '0') } } }),
      );
    }
    expect((await anchored.verify(window())).firstFailure).toMatchObject({ chain: 1, seq: head.seq, reason: 'truncated' });
  });

  it('refuses a checkpoint forged in the anchor by someone without the key', async () => {
    const isolated = await freshTables();
    const own = new DynamoStore(isolated.client, isolated.prefix);
    const anchor = anchorFile();
    const anchored = newTrail(own, { anchor });
    await anchored.record(context(0), read('c-0'));
    await anchored.checkpoint();
    const { at, document } = (await anchor.latest())!;
    const forged = JSON.parse(document) as { heads: Array<{ seq: number }> };
    forged.heads[0]!.seq = 0;
    await anchor.append(new Date(Date.parse(at) + 1).toISOString(), JSON.stringify({ ...forged, at: new Date(Date.parse(at) + 1).toISOString() }));
    expect((await anchored.verify(window())).firstFailure).toMatchObject({ reason: 'checkpoint' });
  });

  it('pages a verification over a large window: a bounded number of entries per call, then a cursor', async () => {
    const isolated = await freshTables();
    const own = new DynamoStore(isolated.client, isolated.prefix);
    const paged = newTrail(own, { options: { verifyPageEntries: 500 } });
    const drafts = Array.from({ length: 100 }, (_, i) => read(`c-${i}`)[0]!);
    for (let i = 0; i < 13; i++) await paged.record(context(i), drafts);
    // A cursor belongs to its window: the same one on every call.
    const range = window();
    const calls: number[] = [];
    let cursor: string | undefined;
    do {
      const report = await paged.verify(range, {}, cursor);
      expect(report.ok).toBe(true);
      calls.push(report.entriesChecked);
      cursor = report.next;
    } while (cursor);
    expect(calls).toEqual([500, 500, 300]);
    await expect(paged.verify(range, {}, 'e30')).rejects.toMatchObject({ field: 'cursor' });
  });
});

describe('AuditTrail beside another process', () => {
  it('appends with one retry at most after another process moved on every chain it remembers a head of', async () => {
    const tables = await freshTables();
    const own = new DynamoStore(tables.client, tables.prefix);
    let transactions = 0;
    const counting: Store = Object.create(own, {
      transact: {
        value: (writes: Parameters<Store['transact']>[0]) => {
          transactions += 1;
          return own.transact(writes);
        },
      },
    });
    const wide = { chains: 16 };
    const first = newTrail(own, { options: wide, transactOn: counting });
    const second = newTrail(own, { options: wide });
    // The first remembers a head on (nearly) every chain; the second then moves every chain on.
    for (let i = 0; i < 64; i++) await first.record(context(i), read(`a-${i}`));
    for (let i = 0; i < 240; i++) await second.record(context(i), read(`b-${i}`));
    const costs: number[] = [];
    for (let i = 0; i < 20; i++) {
      transactions = 0;
      await first.record(context(i), read(`c-${i}`));
      costs.push(transactions);
    }
    // Each append costs at most its stale try and one on the head read fresh, never a walk
    // over other stale chains (which ran out of attempts under load: 503s).
    expect(Math.max(...costs)).toBeLessThanOrEqual(2);
    expect(costs.filter((cost) => cost === 2).length).toBeGreaterThan(0);
    const report = await first.verify(window());
    expect(report).toMatchObject({ ok: true, entriesChecked: 324 });
  });
});
