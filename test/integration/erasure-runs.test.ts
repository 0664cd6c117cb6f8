import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErasureRunRepository, type ErasureRun } from '../../shared/contexts/erasure/index.js';
import { ValidationError } from '../../shared/platform/errors/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { freshTables } from '../support/dynamo.js';

/** The index of unfinished erasures: spread over several partitions, read page by page, never scanned. */
let runs: ErasureRunRepository;
let store: DynamoStore;
const started = (minutesAgo: number) => new Date(Date.UTC(2026, 11, 1, 12) - minutesAgo * 60_000).toISOString();

beforeAll(async () => {
  const { client, prefix } = await freshTables();
  store = new DynamoStore(client, prefix);
  runs = new ErasureRunRepository(store);
});

describe('erasure runs', () => {
  it('pages through every partition, each run once, and filters by start without reading past it', async () => {
    const written: ErasureRun[] = Array.from({ length: 20 }, (_, i) => {
      const id = randomUUID();
      return { id, customerId: randomUUID(), cause: { requestId: id }, startedAt: started(i * 10), step: 'approved', progressAt: started(i * 10), resumes: 0 };
    });
    for (const run of written) await store.transact([runs.write(run, 'absent')]);
    const partitionOf = (run: ErasureRun) => (runs.write(run) as unknown as { item: { gsi3pk: string } }).item.gsi3pk;
    const partitions = new Set(written.map(partitionOf));
    expect(partitions.size).toBeGreaterThan(1);
    for (const partition of partitions) expect(partition).toMatch(/^ERASURE#UNFINISHED#\d+$/);
    expect(runs.shards).toBe(16);

    const read = async (filter: { startedBefore?: string }) => {
      const seen: ErasureRun[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await runs.unfinished(filter, { limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items);
        cursor = page.cursor;
        pages += 1;
      } while (cursor);
      return { seen, pages };
    };
    const all = await read({});
    expect(all.seen.map((r) => r.id).sort()).toEqual(written.map((r) => r.id).sort());
    expect(all.pages).toBeGreaterThanOrEqual(7);
    // Oldest first across every shard: the run started longest ago comes first.
    expect(all.seen.map((r) => r.startedAt)).toEqual([...written].reverse().map((r) => r.startedAt));
    expect(all.seen[0]).not.toHaveProperty('gsi3pk');

    // Started over an hour before noon: runs 7 to 19.
    const old = await read({ startedBefore: started(60) });
    expect(old.seen.map((r) => r.id).sort()).toEqual(written.slice(7).map((r) => r.id).sort());

    // Closed: out of the index.
    await store.transact([runs.remove(written[0]!.id)]);
    expect((await read({})).seen).toHaveLength(19);
  });

  it('refuses a cursor it did not give', async () => {
    for (const cursor of ['e30', '8.', 'x.abc', '']) {
      await expect(runs.unfinished({}, { limit: 3, cursor })).rejects.toThrow(ValidationError);
    }
  });
});
