import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/platform/access/index.js';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/**
 * CON-3 and CON-5 over a generated population of 1,200 customers in mixed consent
 * states: the marketing export holds exactly those with current consent who neither
 * restricted processing nor objected, and only the marketing fields.
 */
const N = 1200;
type State = 'current' | 'withdrawn' | 'outdated' | 'restricted' | 'objecting' | 'never';
const states: State[] = ['current', 'withdrawn', 'outdated', 'restricted', 'objecting', 'never'];
const admin: Actor = { id: 'seed', role: 'admin' };
const ctx = { actor: admin, purpose: 'seed' };
let container: Container;
const expected = new Set<string>();
const everyone = new Map<string, State>();

async function inParallel<T>(count: number, width: number, work: (i: number) => Promise<T>) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await work(next++);
  }));
}

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  container = createContainer(config, { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 8)) });
  const purpose = { name: 'Marketing', description: 'Offers', noticeVersion: 'v1', requiresConsent: true, fields: ['name', 'emails', 'tier', 'region'] as const };
  await container.consent.putPurpose('marketing', { ...purpose, fields: [...purpose.fields] }, undefined, ctx);
  await container.consent.putPurpose('analytics', { ...purpose, name: 'Analytics', fields: ['type', 'region', 'tier', 'stage'] }, undefined, ctx);

  await inParallel(N, 16, async (i) => {
    const state = states[i % states.length]!;
    const { customer } = await container.customers.create(newCustomer({ tier: i % 4 < 2 ? 'vip' : 'normal' }) as CreateCustomerInput, ctx, resolveView('admin').view);
    everyone.set(customer.id, state);
    const consent = (action: 'give' | 'withdraw', noticeVersion = 'v1') =>
      container.consent.record(customer.id, { purposeId: 'marketing', action, channel: 'online-form', noticeVersion }, ctx);
    if (state !== 'never') await consent('give');
    await container.consent.record(customer.id, { purposeId: 'analytics', action: 'give', channel: 'online-form', noticeVersion: 'v1' }, ctx);
    if (state === 'withdrawn') await consent('withdraw');
    if (state === 'restricted' || state === 'objecting') {
      const flags = state === 'restricted' ? { restricted: true } : { objections: ['marketing'] };
      await container.customers.update(customer.id, { ...flags, reason: 'customer asked' }, 1, ctx, resolveView('admin').view);
    }
    if (state === 'current') expected.add(customer.id);
  });
  // The notice changes; those who consented before are outdated... except the ones who renew.
  const current = await container.consent.purpose('marketing');
  await container.consent.putPurpose('marketing', { ...purpose, fields: [...purpose.fields], noticeVersion: 'v2' }, current.version, ctx);
  await inParallel(N, 16, async (i) => {
    const id = [...everyone.keys()][i]!;
    if (everyone.get(id) === 'current') {
      await container.consent.record(id, { purposeId: 'marketing', action: 'give', channel: 'email', noticeVersion: 'v2' }, ctx);
    }
  });
}, 240_000);

describe('marketing export over 1,200 customers', () => {
  it('holds exactly the customers with current consent, none withdrawn, outdated, restricted or objecting', async () => {
    const exported: Array<Record<string, unknown>> = [];
    let cursor: string | undefined;
    do {
      const page = await container.exports.marketing({ limit: 250, ...(cursor ? { cursor } : {}) }, { actor: { id: 'm', role: 'marketer' }, purpose: 'marketing' });
      exported.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    const ids = exported.map((row) => row.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected.size);
    expect(new Set(ids)).toEqual(expected);
    for (const id of ids) expect(everyone.get(id)).toBe('current');
    for (const row of exported) {
      expect(Object.keys(row).sort()).toEqual(expect.arrayContaining(['emails', 'id', 'name', 'region', 'tier']));
      expect(Object.keys(row)).not.toEqual(expect.arrayContaining(['phones']));
      expect(row.phones).toBeUndefined();
      expect(row.stage).toBeUndefined();
    }
  });

  it('narrows to a segment and refuses fields marketing may not use', async () => {
    const vip = await container.exports.marketing({ segment: { tier: 'vip' }, limit: 1000 }, ctx);
    expect(vip.items.length).toBeGreaterThan(0);
    expect(vip.items.every((row) => row.tier === 'vip')).toBe(true);
    await expect(container.exports.marketing({ fields: ['phones'] }, ctx)).rejects.toMatchObject({ kind: 'forbidden', field: 'fields' });
  });
});

describe('analysis export (pseudonymized)', () => {
  it('has no identities, pseudonyms stable within an export and unlinkable across exports unless asked', async () => {
    const first = await container.exports.analysis({}, ctx);
    const second = await container.exports.analysis({}, ctx);
    // Restricted and objecting-to-marketing customers: restriction excludes, a marketing objection does not.
    const usable = [...everyone.values()].filter((s) => s !== 'restricted').length;
    expect(first.count).toBe(usable);
    const pseudonyms = first.items.map((r) => r.pseudonym as string);
    expect(new Set(pseudonyms).size).toBe(first.count);
    for (const row of first.items) {
      expect(Object.keys(row).sort()).toEqual(['pseudonym', 'region', 'stage', 'tier', 'type']);
      expect(everyone.has(row.pseudonym as string)).toBe(false);
    }
    const overlap = second.items.filter((r) => pseudonyms.includes(r.pseudonym as string));
    expect(overlap).toHaveLength(0);
    const linkedA = await container.exports.analysis({ linkable: true }, ctx);
    const linkedB = await container.exports.analysis({ linkable: true }, ctx);
    expect(linkedA.items.map((r) => r.pseudonym).sort()).toEqual(linkedB.items.map((r) => r.pseudonym).sort());
  });
});
