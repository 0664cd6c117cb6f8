import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessCounterRepository,
  AccessDetector,
  defaultThresholds,
  FindingRepository,
  FindingService,
  findingIdOf,
  type DraftIncidentInput,
  type Finding,
} from '../../shared/contexts/security/index.js';
import type { AuditContext, AuditDraft, AuditEntry } from '../../shared/platform/audit/index.js';
import type { DomainEvent, Store } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { freshTables } from '../support/dynamo.js';

/**
 * The access detector (SEC-6) on DynamoDB Local: batches of audit entries counted per
 * subject-hour, findings raised at the thresholds (and raised further by later batches),
 * baselines folded from completed hours, and a draft incident opened once per finding at
 * the incident level.
 */
let store: Store;
let findings: FindingRepository;
const drafts: Array<{ input: DraftIncidentInput; context: AuditContext }> = [];
const now = new Date('2026-03-10T12:00:00.000Z');
const published: DomainEvent[] = [];
let detector: AccessDetector;

let seq = 0;
/** An entry as the trail writes it (chain, MAC and links do not matter to the detector). */
function entry(fields: Partial<AuditEntry> & Pick<AuditEntry, 'actor' | 'role' | 'at'>): AuditEntry {
  seq += 1;
  return {
    format: 'kehu-audit-2',
    chain: 0,
    seq,
    purpose: 'service',
    action: 'customer.read',
    targetType: 'customer',
    targetId: randomUUID(),
    requestId: 'none',
    prevMac: '0'.repeat(64),
    mac: '0'.repeat(64),
    ...fields,
  };
}

/** `n` entries spread over the first minutes of an hour (`YYYY-MM-DDTHH`). */
const many = (n: number, hour: string, fields: Omit<Partial<AuditEntry>, 'at'> & Pick<AuditEntry, 'actor' | 'role'>) =>
  Array.from({ length: n }, (_, i) => entry({ ...fields, at: `${hour}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z` }));

const stored = async (rule: Finding['rule'], subject: string, hour: string) => (await findings.find(findingIdOf(rule, subject, hour)))?.finding;

beforeAll(async () => {
  const { client, prefix } = await freshTables();
  store = new DynamoStore(client, prefix);
  findings = new FindingRepository(store, 4);
  detector = new AccessDetector({
    store,
    clock: { now: () => now },
    thresholds: defaultThresholds,
    findings,
    events: { publish: async (events) => void published.push(...events) },
    incidents: {
      openDraft: async (input, context) => {
        drafts.push({ input, context });
        return { id: randomUUID(), created: true };
      },
    },
  });
});

const draftsOf = (findingId: string) => drafts.filter((d) => d.input.findingId === findingId);

describe('AccessDetector: read rate', () => {
  it('raises a high finding for 300 customer reads by one agent in an hour, and opens one draft with the window', async () => {
    const hour = '2026-03-02T03';
    const batch = many(300, hour, { actor: 'agent-hot', role: 'agent' });
    const result = await detector.observe(batch);
    const id = findingIdOf('read-rate', 'agent-hot', hour);
    const finding = result.findings.find((f) => f.id === id);
    expect(finding).toMatchObject({ rule: 'read-rate', level: 'high', subject: 'agent-hot', subjectRole: 'agent', hour, observed: 300, threshold: 200 });
    expect(result.observed).toBe(300);
    expect(draftsOf(id)).toHaveLength(1);
    const [draft] = draftsOf(id);
    expect(draft!.input).toEqual({
      findingId: id,
      rule: 'read-rate',
      actor: 'agent-hot',
      from: '2026-03-02T02:00:00.000Z',
      to: new Date(Date.parse(batch[batch.length - 1]!.at) + 3_600_000).toISOString(),
      detectedAt: now.toISOString(),
    });
    expect(draft!.context).toEqual({ actor: { id: 'access-detector', role: 'system' }, purpose: 'breach-response' });
    expect(result.opened).toEqual([finding!.incidentId]);
    expect((await stored('read-rate', 'agent-hot', hour))?.incidentId).toBe(finding!.incidentId);
    expect(published.filter((e) => e.detail.findingId === id)).toEqual([
      expect.objectContaining({ type: 'SecurityFindingRaised', detail: { findingId: id, rule: 'read-rate', level: 'high', hour, observed: 300, threshold: 200, incidentId: finding!.incidentId } }),
    ]);
  });

  it('raises nothing for 150 reads in an hour', async () => {
    const hour = '2026-03-02T04';
    const result = await detector.observe(many(150, hour, { actor: 'agent-calm', role: 'agent' }));
    expect(result.findings).toEqual([]);
    expect(await stored('read-rate', 'agent-calm', hour)).toBeUndefined();
  });

  it('updates the same finding when a later batch raises the count, and opens its draft once it is high', async () => {
    const hour = '2026-03-02T05';
    const id = findingIdOf('read-rate', 'agent-rising', hour);
    const first = await detector.observe(many(220, hour, { actor: 'agent-rising', role: 'agent' }));
    expect(first.findings.map((f) => [f.id, f.level, f.observed])).toEqual([[id, 'medium', 220]]);
    expect(draftsOf(id)).toHaveLength(0);
    const second = await detector.observe(many(100, hour, { actor: 'agent-rising', role: 'agent' }));
    expect(second.findings.map((f) => [f.id, f.level, f.observed])).toEqual([[id, 'high', 320]]);
    const third = await detector.observe(many(10, hour, { actor: 'agent-rising', role: 'agent' }));
    expect(third.findings.map((f) => [f.id, f.level, f.observed])).toEqual([[id, 'high', 330]]);
    expect(draftsOf(id)).toHaveLength(1);
    const saved = await stored('read-rate', 'agent-rising', hour);
    expect(saved).toMatchObject({ level: 'high', observed: 330, firstAt: `${hour}:00:00.000Z`, incidentId: third.findings[0]!.incidentId });
  });

  it("weighs reads against the actor's baseline: 250 is usual for a busy reader, unusual for a quiet one", async () => {
    // Five completed hours each (business hours in Shanghai), then the hour that counts.
    for (const h of ['01', '02', '03', '04', '05']) {
      await detector.observe(many(60, `2026-03-03T${h}`, { actor: 'dpo-busy', role: 'dpo' }));
      await detector.observe(many(10, `2026-03-03T${h}`, { actor: 'admin-quiet', role: 'admin' }));
    }
    const hour = '2026-03-03T07';
    const busy = await detector.observe(many(250, hour, { actor: 'dpo-busy', role: 'dpo' }));
    expect(busy.findings).toEqual([]);
    const quiet = await detector.observe(many(250, hour, { actor: 'admin-quiet', role: 'admin' }));
    expect(quiet.findings).toHaveLength(1);
    expect(quiet.findings[0]).toMatchObject({ rule: 'read-rate', level: 'medium', subject: 'admin-quiet', observed: 250, threshold: 200, baseline: { actor: 10, role: 10 } });
    // The busy reader's own threshold: five times 60.
    const more = await detector.observe(many(50, hour, { actor: 'dpo-busy', role: 'dpo' }));
    expect(more.findings).toHaveLength(1);
    expect(more.findings[0]).toMatchObject({ subject: 'dpo-busy', level: 'medium', observed: 300, threshold: 300, baseline: { actor: 60, role: 60 } });
  });
});

describe('AccessDetector: role baselines', () => {
  it("folds every actor's completed hour into the role's baseline, however many share a batch", async () => {
    const actors = Array.from({ length: 30 }, (_, i) => `marketer-${i}`);
    const batch = (hour: string, reads: number) => actors.flatMap((actor) => many(reads, hour, { actor, role: 'marketer' }));
    await detector.observe(batch('2026-03-04T02', 4));
    await detector.observe(batch('2026-03-04T03', 4));
    const role = await new AccessCounterRepository(store).baseline('role', 'marketer');
    // Thirty hours completed at once (each actor's 02:00), none lost to the others.
    expect(role).toMatchObject({ hours: 30, ewma: 4 });
  });
});

describe('AccessDetector: other rules', () => {
  it('flags reads outside business hours in the configured time zone', async () => {
    // 16:00 UTC is midnight in Shanghai; 03:00 UTC is 11:00 there.
    const night = await detector.observe(many(60, '2026-03-04T16', { actor: 'agent-night', role: 'agent' }));
    expect(night.findings.map((f) => [f.rule, f.level, f.observed, f.threshold])).toEqual([['off-hours', 'medium', 60, 50]]);
    const day = await detector.observe(many(60, '2026-03-04T03', { actor: 'agent-day', role: 'agent' }));
    expect(day.findings).toEqual([]);
  });

  it('flags exports per actor-hour, high at the high factor', async () => {
    const medium = await detector.observe(many(1000, '2026-03-05T02', { actor: 'marketer-1', role: 'marketer', action: 'export.marketing' }));
    expect(medium.findings.map((f) => [f.rule, f.level, f.observed])).toEqual([['bulk-export', 'medium', 1000]]);
    expect(medium.opened).toEqual([]);
    const high = await detector.observe(many(1500, '2026-03-05T03', { actor: 'marketer-2', role: 'marketer', action: 'export.marketing' }));
    expect(high.findings.map((f) => [f.rule, f.level, f.observed])).toEqual([['bulk-export', 'high', 1500]]);
    expect(high.opened).toHaveLength(1);
  });

  it('flags wrong self-service codes per customer attacked, from many sources', async () => {
    const customer = randomUUID();
    const hour = '2026-03-06T02';
    const batch = Array.from({ length: 10 }, (_, i) =>
      entry({ actor: `source:${String(i).padStart(16, 'a')}`, role: 'anonymous', action: 'self.code.rejected', targetId: customer, at: `${hour}:0${i}:00.000Z` }),
    );
    const result = await detector.observe(batch);
    expect(result.findings.map((f) => [f.rule, f.subject, f.level, f.observed])).toEqual([['failed-codes-contact', customer, 'medium', 10]]);
  });

  it('flags wrong self-service codes per source, over many challenges', async () => {
    const source = 'source:0123456789abcdef';
    const batch = Array.from({ length: 30 }, (_, i) =>
      entry({ actor: source, role: 'anonymous', action: 'self.code.rejected', targetType: 'self-service-challenge', targetId: randomUUID(), at: `2026-03-06T03:${String(i).padStart(2, '0')}:00.000Z` }),
    );
    const result = await detector.observe(batch);
    expect(result.findings.map((f) => [f.rule, f.subject, f.level, f.observed])).toEqual([['failed-codes-source', source, 'medium', 30]]);
  });

  it('flags a customer token touching more than three customers in an hour, counting each customer once across batches', async () => {
    const own = randomUUID();
    const others = [randomUUID(), randomUUID(), randomUUID()];
    const hour = '2026-03-07T02';
    const as = { actor: own, role: 'customer', action: 'request.read' };
    const first = await detector.observe([
      ...Array.from({ length: 20 }, (_, i) => entry({ ...as, targetId: own, at: `${hour}:00:${String(i).padStart(2, '0')}.000Z` })),
      entry({ ...as, targetId: others[0]!, at: `${hour}:01:00.000Z` }),
      entry({ ...as, targetId: others[1]!, at: `${hour}:02:00.000Z` }),
      entry({ ...as, targetId: others[1]!, at: `${hour}:02:30.000Z` }),
    ]);
    expect(first.findings).toEqual([]);
    const second = await detector.observe([entry({ ...as, targetId: others[0]!, at: `${hour}:03:00.000Z` }), entry({ ...as, targetId: others[2]!, at: `${hour}:04:00.000Z` })]);
    expect(second.findings.map((f) => [f.rule, f.subject, f.level, f.observed, f.threshold])).toEqual([['token-many-customers', own, 'medium', 4, 4]]);
    const lonely = await detector.observe(Array.from({ length: 50 }, (_, i) => entry({ ...as, actor: others[2]!, targetId: others[2]!, at: `${hour}:10:${String(i).padStart(2, '0')}.000Z` })));
    expect(lonely.findings).toEqual([]);
  });

  it("ignores the system's own entries", async () => {
    const result = await detector.observe([
      ...many(500, '2026-03-08T16', { actor: 'access-detector', role: 'system' }),
      ...many(1500, '2026-03-08T16', { actor: 'erasure-worker', role: 'system', action: 'export.marketing' }),
    ]);
    expect(result).toEqual({ observed: 0, findings: [], opened: [] });
  });
});

describe('FindingService', () => {
  it('lists findings newest hour first, by rule and level, and audits each listing', async () => {
    const recorded: Array<{ context: AuditContext; drafts: AuditDraft[] }> = [];
    const service = new FindingService({ findings, audit: { record: async (context, drafts) => void recorded.push({ context, drafts }) } });
    const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'breach-response' };
    const all: Finding[] = [];
    let cursor: string | undefined;
    do {
      const page = await service.list({ rule: 'read-rate', limit: 2, ...(cursor ? { cursor } : {}) }, dpo);
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    expect(new Set(all.map((f) => f.subject))).toEqual(new Set(['admin-quiet', 'dpo-busy', 'agent-rising', 'agent-hot']));
    expect(all).toHaveLength(4);
    const keys = all.map((f) => `${f.hour}#${f.id}`);
    expect(keys).toEqual([...keys].sort().reverse());
    expect(all.every((f) => f.rule === 'read-rate')).toBe(true);
    const high = await service.list({ level: 'high', from: '2026-03-05T00:00:00Z', to: '2026-03-05T23:59:59Z' }, dpo);
    expect(high.items.map((f) => [f.rule, f.subject])).toEqual([['bulk-export', 'marketer-2']]);
    expect(recorded.length).toBeGreaterThan(1);
    expect(recorded.every((r) => r.drafts.length === 1 && r.drafts[0]!.action === 'security.findings.read' && r.drafts[0]!.target.type === 'finding' && r.drafts[0]!.target.id === 'list')).toBe(true);
  });
});
