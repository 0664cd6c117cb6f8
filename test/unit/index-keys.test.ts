import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsentRepository } from '../../shared/contexts/consent/repository.js';
import { CustomerRepository } from '../../shared/contexts/customers/repository.js';
import { ErasureRunRepository } from '../../shared/contexts/erasure/runs.js';
import { InteractionRepository } from '../../shared/contexts/interactions/repository.js';
import { RequestRepository } from '../../shared/contexts/requests/repository.js';
import { AuditRepository } from '../../shared/platform/audit/repository.js';
import type { Store, StoreItem, Write } from '../../shared/platform/ports/index.js';

/**
 * No hot index keys (docs/scaling.md): a partition key of gsi1-4 that every customer (every
 * request, interaction, consent, share, audit entry of an actor) would share must be
 * sharded with `shardKey`. Every `gsiNpk:` written in the source is either sharded or named
 * below with why one key suffices; a new constant key fails here.
 */
const root = join(import.meta.dirname, '..', '..');

/** Index partition keys that are not sharded, each with the reason no key of it gets hot. */
const UNSHARDED: Record<string, string> = {
  'shared/platform/audit/repository.ts: targetPk(entry.targetType': 'one key per audited target (a customer, a purpose): as many keys as targets',
  'shared/contexts/erasure/service.ts: `SUBJECT#${certificate.subjectRef': 'one key per erased subject: a few certificates each',
  'shared/contexts/requests/repository.ts: `REQUESTS#${item.customerId': 'one key per customer: the few requests of one person',
  'shared/contexts/consent/repository.ts: PURPOSE_LIST': 'purposes: a handful of configuration items a DPO writes a few times a year',
  'shared/contexts/sharing/service.ts: PARTNER_LIST': 'partners: a few configuration items, written when a contract is signed',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

type Assignment = { where: string; key: string };

/** The `gsiNpk: <expression>` assignments of one source file, with where they are. */
function assignmentsIn(file: string, text: string): Assignment[] {
  const found: Assignment[] = [];
  for (const match of text.matchAll(/\b(gsi[1-4]pk)\s*:\s*([^,;}\n)]+)/g)) {
    const value = match[2]!.trim();
    // Destructuring renames (`gsi1pk: _a`) and type annotations (`gsi1pk: string`) write nothing.
    if (/^_|^string\b|^typeof\b/.test(value)) continue;
    const line = text.slice(0, match.index).split('\n').length;
    found.push({ where: `${file}:${line}`, key: `${file}: ${value}` });
  }
  return found;
}

/** Every index key assignment of the application's source. */
const indexKeyAssignments = (): Assignment[] =>
  [...sources(join(root, 'shared')), ...sources(join(root, 'functions'))].flatMap((file) => assignmentsIn(relative(root, file), readFileSync(file, 'utf8')));

/** The assignments neither sharded nor allowed, as messages naming where they are. */
const unsharded = (assignments: Assignment[]): string[] =>
  assignments
    .filter(({ key }) => !/: shardKey\(/.test(key) && !(key in UNSHARDED))
    .map(({ where, key }) => `${where} writes ${key.split(': ')[1]}: shard it with shardKey, or say in UNSHARDED and docs/scaling.md why one key suffices`);

describe('index partition keys', () => {
  it('are sharded wherever many items would share them, or allowed by name with the reason', () => {
    const assignments = indexKeyAssignments();
    expect(assignments.length).toBeGreaterThan(10);
    expect(unsharded(assignments)).toEqual([]);
    // Every allowance still names a key the source writes.
    const written = new Set(assignments.map(({ key }) => key));
    expect(Object.keys(UNSHARDED).filter((key) => !written.has(key))).toEqual([]);
  });

  it('finds a constant key the day one is written, and passes a sharded one', () => {
    const text = [
      'const { gsi1pk: _a, ...rest } = item;',
      "const item = { pk, sk, gsi2pk: 'EVERYONE', gsi2sk: at, gsi3pk: EVERY_ORDER };",
      'const sharded = { gsi1pk: shardKey(ORDERS, id, this.shards) };',
    ].join('\n');
    expect(unsharded(assignmentsIn('shared/contexts/orders/service.ts', text))).toEqual([
      expect.stringMatching(/^shared\/contexts\/orders\/service.ts:2 writes 'EVERYONE'/),
      expect.stringMatching(/^shared\/contexts\/orders\/service.ts:2 writes EVERY_ORDER/),
    ]);
  });

  // The repositories' own items: over many ids, each sharded key takes many values, all of one family.
  const store = {} as Store;
  const ids = Array.from({ length: 64 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const itemOf = (write: Write) => (write as Extract<Write, { op: 'put' }>).item as StoreItem;
  const producers: Record<string, (shards: number) => Array<Record<string, unknown>>> = {
    'customer profiles': (shards) =>
      ids.map((id, i) => new CustomerRepository(store, { shards }).indexKeys({ id, number: `KH${i}`, reviewDueAt: '2027-01-01', updatedAt: '2026-01-01' })),
    interactions: (shards) => ids.map((id) => new InteractionRepository(store, shards).retentionKeys('c', '2026-01-01', id)),
    requests: (shards) =>
      ids.map((id) =>
        itemOf(
          new RequestRepository(store, shards).write({
            id,
            customerId: 'c',
            type: 'access',
            jurisdiction: 'GDPR',
            status: 'received',
            channel: 'email',
            receivedAt: '2026-01-01',
            dueAt: '2026-02-01',
            transitions: [],
            version: 1,
          }),
        ),
      ),
    consents: (shards) =>
      ids.map((customerId) =>
        itemOf(
          new ConsentRepository(store, shards).recordWrites(
            { customerId, purposeId: 'marketing', status: 'given', noticeVersion: '1', channel: 'web', at: '2026-01-01', version: 1 },
            { customerId, purposeId: 'marketing', action: 'give', noticeVersion: '1', channel: 'web', at: '2026-01-01' } as never,
          )[0]!,
        ),
      ),
    'erasure runs': (shards) =>
      ids.map((id) => itemOf(new ErasureRunRepository(store, shards).write({ id, customerId: id, cause: { requestId: id }, startedAt: '2026-01-01', step: 'approved', progressAt: '2026-01-01', resumes: 0 }))),
    'audit entries of one actor': (shards) =>
      new AuditRepository(store, shards)
        .appendWrites(ids.map((_, seq) => ({ format: 'kehu-audit-2', chain: seq % 4, seq, at: '2026-01-01', actor: 'system', role: 'system', purpose: 'p', action: 'a', targetType: 't', targetId: 'x', requestId: 'r', prevMac: '', mac: '' }) as never))
        .map(itemOf)
        .map(({ gsi2pk }) => ({ gsi2pk })),
  };

  it.each(Object.keys(producers))('spreads %s over their shards', (kind) => {
    const items = producers[kind]!(16);
    const attributes = Object.keys(items[0]!).filter((name) => /^gsi[123]pk$/.test(name) && !/^(REQUESTS|TARGET)#/.test(String(items[0]![name])));
    expect(attributes.length).toBeGreaterThan(0);
    for (const attribute of attributes) {
      const values = new Set(items.map((item) => String(item[attribute])));
      expect(values.size, `${kind}: ${attribute}`).toBeGreaterThan(8);
      expect(values.size).toBeLessThanOrEqual(16);
      const prefixes = new Set([...values].map((value) => value.replace(/#\d+$/, '')));
      expect(prefixes.size).toBe(1);
      // One shard: one key, the family's prefix and shard 0.
      expect(new Set(producers[kind]!(1).map((item) => String(item[attribute])))).toEqual(new Set([`${[...prefixes][0]}#0`]));
    }
  });
});
