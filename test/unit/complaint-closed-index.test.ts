import { describe, expect, it } from 'vitest';
import { ComplaintRepository, milestoneNames, type ComplaintFields } from '../../shared/contexts/complaints/index.js';
import type { QueryInput, Store } from '../../shared/platform/ports/index.js';

/** SAT-2's "complaint closed in the last N days": closed complaints in their own index, due ones in theirs. */
const queries: QueryInput[] = [];
const store = {
  query: async (input: QueryInput) => {
    queries.push(input);
    return { items: [] };
  },
} as unknown as Store;
const repository = new ComplaintRepository(store, 4);

const milestones = Object.fromEntries(milestoneNames.map((name) => [name, { state: 'active', dueAt: '2026-12-10T00:00:00.000Z' }]));
const complaint = (overrides: Partial<ComplaintFields>): ComplaintFields =>
  ({
    id: 'c0a8e0d2-1111-4222-8333-444455556666',
    customerId: 'a0a8e0d2-1111-4222-8333-444455556666',
    reference: 'TS-2026-000001',
    receivedAt: '2026-11-01T00:00:00.000Z',
    status: 'in-progress',
    milestones,
    history: [],
    sealed: { subject: 's', description: 'd' },
    version: 3,
    ...overrides,
  }) as unknown as ComplaintFields;
const itemOf = (fields: ComplaintFields) => (repository.write(fields, 2) as { item: Record<string, unknown> }).item;

describe('the closed-complaints index', () => {
  it('lists a closed complaint by when it closed, and an open one in the due index', () => {
    const closed = itemOf(
      complaint({
        status: 'closed',
        history: [
          { action: 'close', at: '2026-11-20T00:00:00.000Z', actor: 'a', role: 'agent', from: 'followed-up', to: 'closed' },
          { action: 'reopen', at: '2026-11-21T00:00:00.000Z', actor: 'a', role: 'agent', from: 'closed', to: 'in-progress' },
          { action: 'close', at: '2026-11-25T00:00:00.000Z', actor: 'a', role: 'agent', from: 'followed-up', to: 'closed' },
        ],
      }),
    );
    expect(closed.gsi2pk).toMatch(/^COMPLAINT#CLOSED#[0-3]$/);
    expect(closed.gsi2sk).toBe('2026-11-25T00:00:00.000Z#c0a8e0d2-1111-4222-8333-444455556666');
    const reopened = itemOf(complaint({ status: 'in-progress', nextCheckAt: '2026-12-01T00:00:00.000Z' }));
    expect(reopened.gsi2pk).toMatch(/^COMPLAINT#DUE#[0-3]$/);
    expect(reopened.gsi2sk).toBe('2026-12-01T00:00:00.000Z#c0a8e0d2-1111-4222-8333-444455556666');
    expect(itemOf(complaint({ status: 'resolved' })).gsi2pk).toBeUndefined();
  });

  it('reads every shard from the given instant on', async () => {
    await repository.closedSince('2026-11-01T00:00:00.000Z', { limit: 10 });
    expect(queries.map((q) => q.partition.value).sort()).toEqual(['COMPLAINT#CLOSED#0', 'COMPLAINT#CLOSED#1', 'COMPLAINT#CLOSED#2', 'COMPLAINT#CLOSED#3']);
    expect(queries.every((q) => q.index === 'gsi2' && q.range?.from === '2026-11-01T00:00:00.000Z')).toBe(true);
  });
});
