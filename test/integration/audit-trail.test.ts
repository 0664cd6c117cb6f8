import { UpdateItemCommand, DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditRepository, AuditTrail, VerificationRangeError } from '../../shared/audit/index.js';
import { ConditionFailedError, systemClock, type Store } from '../../shared/ports/index.js';
import { DynamoStore } from '../../shared/store/index.js';
import { freshTables } from '../support/dynamo.js';

/** The audit trail on DynamoDB Local: concurrent appends, atomicity, tamper detection. */
let client: DynamoDBClient;
let prefix: string;
let store: Store;
let trail: AuditTrail;
const options = { chains: 3, maxVerifyDays: 31, maxVerifyEntries: 10_000 };
const context = (i: number) => ({ actor: { id: `user-${i % 4}`, role: 'agent' as const, requestId: `req-${i}` }, purpose: 'service' });
const read = (id: string) => [{ action: 'customer.read', target: { type: 'customer', id } }];
const window = () => ({ from: new Date(Date.now() - 60_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() });

beforeAll(async () => {
  ({ client, prefix } = await freshTables());
  store = new DynamoStore(client, prefix);
  trail = new AuditTrail(new AuditRepository(store), store, systemClock, options);
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

  it('writes nothing when the change it records fails, and the change nothing when the entry fails', async () => {
    const before = (await trail.verify(window())).entriesChecked;
    const failingChange = trail.commit(context(1), read('c-x'), [
      { op: 'check', table: 'data', key: { pk: 'NOPE', sk: 'NOPE' }, condition: { kind: 'exists' }, label: 'profile' },
    ]);
    await expect(failingChange).rejects.toBeInstanceOf(ConditionFailedError);
    expect((await trail.verify(window())).entriesChecked).toBe(before);

    const broken = new AuditTrail(new AuditRepository(store), { ...store, transact: () => Promise.reject(new Error('audit table down')) } as Store, systemClock, options);
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
    const subjectTrail = new AuditTrail(new AuditRepository(own), own, systemClock, options);
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
});
