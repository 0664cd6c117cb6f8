import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApiLoad, startLoadGenerator, type LoadRun } from '../../bench/lib/load.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * The load `npm run bench` puts on the local runtime, short and bounded by request count:
 * many writers at once on the audit chains must still leave a trail that verifies.
 */
describe('the audit trail verifies after a load run', () => {
  const seeds = 40;
  const mixed = 150;
  let api: TestApi;
  let auditor: string;
  let window: { from: string; to: string };
  let seed: LoadRun;
  let mix: LoadRun;

  const verifyAll = async (): Promise<Record<string, any>> => {
    let entriesChecked = 0;
    let cursor: string | undefined;
    let last: Record<string, any>;
    do {
      const answer = await api.call('POST', '/v1/audit/verify', { token: auditor, body: { ...window, ...(cursor ? { cursor } : {}) } });
      expect(answer.status).toBe(200);
      last = answer.body;
      entriesChecked += last.entriesChecked;
      cursor = last.ok ? last.next : undefined;
    } while (cursor);
    return { ...last, entriesChecked };
  };

  beforeAll(async () => {
    api = await startTestApi();
    auditor = await api.token('auditor');
    const generator = await startLoadGenerator({ kind: 'api', url: api.url, token: await api.token('agent', 'load-agent') });
    try {
      const from = new Date().toISOString();
      seed = await runApiLoad(generator, { connections: 8, readShare: 0, readIds: [], until: { requests: seeds } });
      mix = await runApiLoad(generator, { connections: 16, readShare: 0.8, readIds: seed.createdIds, until: { requests: mixed } });
      window = { from, to: new Date().toISOString() };
    } finally {
      await generator.close();
    }
  });
  afterAll(() => api?.close());

  it('answers every request of the load, 80% reads and 20% creates, with no error', () => {
    expect(seed.answers).toMatchObject({ answered: seeds, non2xx: 0, errors: 0, byStatus: { 201: seeds } });
    expect(seed.createdIds).toHaveLength(seeds);
    expect(mix.answers).toMatchObject({ answered: mixed, non2xx: 0, errors: 0, byStatus: { 200: mixed * 0.8, 201: mixed * 0.2 } });
    expect(new Set([...seed.createdIds, ...mix.createdIds]).size).toBe(seeds + mixed * 0.2);
  });

  it('verifies every entry the load wrote, and still names one edited afterwards', async () => {
    const report = await verifyAll();
    expect(report.ok).toBe(true);
    expect(report.entriesChecked).toBeGreaterThanOrEqual(seeds + mixed);

    const victim = (await api.call('GET', '/v1/audit?actor=load-agent&limit=1', { token: auditor })).body.items[0];
    await api.rewriteAuditPurpose(victim);
    const tampered = await verifyAll();
    expect(tampered.ok).toBe(false);
    expect(tampered.firstFailure).toMatchObject({ chain: victim.chain, seq: victim.seq });
  });
});
