import { describe, expect, it } from 'vitest';
import { entryHash, GENESIS_HASH, link, verifyLinks, type AuditEntry } from '../../shared/audit/index.js';

const draft = (i: number) => ({
  chain: 3,
  at: `2026-11-23T10:00:0${i}.000Z`,
  actor: 'agent-1',
  role: 'agent',
  purpose: 'service',
  action: 'customer.read',
  targetType: 'customer',
  targetId: `c-${i}`,
  requestId: `r-${i}`,
});

function chainOf(length: number): AuditEntry[] {
  const entries: AuditEntry[] = [];
  for (let i = 0; i < length; i++) entries.push(link(entries[i - 1], draft(i)));
  return entries;
}

describe('audit chain', () => {
  it('links entries from the genesis hash with consecutive sequence numbers', () => {
    const [first, second] = chainOf(2);
    expect(first).toMatchObject({ seq: 1, prevHash: GENESIS_HASH });
    expect(second).toMatchObject({ seq: 2, prevHash: first!.hash });
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash(first!)).toBe(first!.hash);
  });

  it('accepts an intact chain, whole or from the middle with the entry before', () => {
    const entries = chainOf(6);
    expect(verifyLinks(entries)).toBeUndefined();
    expect(verifyLinks(entries.slice(3), entries[2])).toBeUndefined();
  });

  it.each([
    ['the actor', { actor: 'someone-else' }],
    ['the action', { action: 'customer.update' }],
    ['the target', { targetId: 'c-other' }],
    ['the time', { at: '2026-11-23T11:00:00.000Z' }],
    ['the purpose', { purpose: 'marketing' }],
  ])('names an entry whose %s was altered', (_what, change) => {
    const entries = chainOf(5);
    entries[2] = { ...entries[2]!, ...change };
    expect(verifyLinks(entries)).toMatchObject({ chain: 3, seq: 3, reason: 'hash' });
  });

  it('names a removed entry', () => {
    const entries = chainOf(5);
    entries.splice(1, 1);
    expect(verifyLinks(entries)).toMatchObject({ seq: 2, reason: 'missing' });
  });

  it('names an entry recomputed to hide an edit but no longer linked', () => {
    const entries = chainOf(4);
    const forged = { ...entries[1]!, actor: 'mallory' };
    entries[1] = { ...forged, hash: entryHash(forged) };
    expect(verifyLinks(entries)).toMatchObject({ seq: 3, reason: 'link' });
  });

  it('names a first entry that claims a predecessor it does not have', () => {
    const [first] = chainOf(1);
    const orphan = { ...first!, prevHash: 'f'.repeat(64) };
    expect(verifyLinks([{ ...orphan, hash: entryHash(orphan) }])).toMatchObject({ seq: 1, reason: 'link' });
  });
});
