import { describe, expect, it } from 'vitest';
import { defaultObligations } from '../../shared/contexts/incidents/obligations.js';
import { IncidentReportService } from '../../shared/contexts/incidents/reports.js';
import type { IncidentRecord, NotificationProgress, ReportItem, ScopeCounts } from '../../shared/contexts/incidents/types.js';
import type { AuditContext, AuditDraft } from '../../shared/platform/audit/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/platform/errors/index.js';
import { ConditionFailedError, type QueryInput, type StoreItem, type Write } from '../../shared/platform/ports/index.js';

/** BR-2: each regime's report from what the incident knows, what is missing marked, a late one's reasons. */
const HOUR = 3_600_000;
const aware = '2026-05-04T10:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(aware) + hours * HOUR);
const ID = '7d5e4c1a-0b6f-4d7e-9a51-2c3b4d5e6f70';
const dpo: AuditContext = { actor: { id: 'dpo-1', role: 'dpo' }, purpose: 'breach-response' };
const admin: AuditContext = { actor: { id: 'admin-1', role: 'admin' }, purpose: 'breach-response' };
const CONTACT = 'dpo@kehu.example, +86 21 5555 0100';

function bare(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: ID,
    source: 'staff',
    draft: false,
    drill: false,
    occurredAt: '2026-05-03T22:00:00.000Z',
    discoveredAt: '2026-05-04T08:00:00.000Z',
    awareAt: aware,
    dataCategories: [],
    systems: [],
    jurisdictions: ['EU', 'CN'],
    severity: 'high',
    status: 'open',
    steps: [],
    history: [],
    deadlineChanges: {},
    explanations: {},
    met: {},
    alerted: {},
    createdAt: aware,
    createdBy: 'dpo-1',
    updatedAt: aware,
    version: 1,
    text: { title: 'Export on a share', description: 'An export file sat on an open share', notes: {} },
    ...overrides,
  };
}

/** An incident assessed, contained and with a step planned: every item known. */
const known = (): IncidentRecord =>
  bare({
    status: 'contained',
    dataCategories: ['identity', 'contact'],
    systems: ['crm', 'export-share'],
    gradeOverride: 'relatively-major',
    assessment: { highRisk: true, exposure: { sealedFields: [], clearFields: ['email'], keysExposed: false }, intelligible: true, assessedAt: aware, assessedBy: 'dpo-1' },
    steps: [{ id: 'a3c1e9f0-5b7d-4c2e-8f1a-0d9e8c7b6a51', owner: 'it-ops', dueOn: '2026-05-10', status: 'open', updatedAt: aware }],
    text: {
      title: 'Export on a share',
      description: 'An export file sat on an open share',
      consequences: 'Phishing mail to the people listed',
      cause: 'Share permissions left open',
      advice: 'Ignore mail asking for passwords',
      measures: 'Share closed, file deleted',
      notes: { 'step:a3c1e9f0-5b7d-4c2e-8f1a-0d9e8c7b6a51': 'Review share permissions' },
    },
  });

const scoped: ScopeCounts = { affected: 1200, byRegion: { 'DE-BE': 200, 'CN-SH': 1000 }, byJurisdiction: { EU: 200, CN: 1000 }, byCategory: { identity: 1200, contact: 1200 } };
const empty: ScopeCounts = { affected: 0, byRegion: {}, byJurisdiction: {}, byCategory: {} };
const progress: NotificationProgress = { affected: 0, pending: 0, queued: 0, sent: 0, failed: 0, undeliverable: 0, skipped: 0, state: 'not-started', drill: false };

function harness(initial: IncidentRecord, counts: ScopeCounts = scoped) {
  let record: IncidentRecord | undefined = initial;
  let now = at(10);
  const items = new Map<string, StoreItem>();
  const drafts: AuditDraft[] = [];
  const transactions: Write[][] = [];
  const keyOf = (i: StoreItem) => `${i.pk as string}|${i.sk as string}`;
  const store = {
    async query<T extends StoreItem>(input: QueryInput) {
      const from = input.range?.from ?? '';
      const to = input.range?.to ?? '\uffff';
      const found = [...items.values()].filter((i) => i.pk === input.partition.value && (i.sk as string) >= from && (i.sk as string) <= to);
      return { items: found.sort((a, b) => keyOf(a).localeCompare(keyOf(b))) as T[] };
    },
    async transact(writes: Write[]) {
      for (const w of writes) {
        if (w.op === 'put' && w.condition?.kind === 'absent' && w.label === 'submission' && items.has(keyOf(w.item))) throw new ConditionFailedError(['submission']);
        if ((w.op === 'put' || w.op === 'check') && w.condition?.kind === 'version' && record?.version !== w.condition.version) throw new ConditionFailedError([w.label ?? '']);
      }
      transactions.push(writes);
      for (const w of writes) {
        if (w.op === 'put' && w.label === 'submission') items.set(keyOf(w.item), w.item);
        if (w.op === 'put' && w.label === 'incident') record = w.item as unknown as IncidentRecord;
      }
    },
  };
  const service = new IncidentReportService({
    repository: {
      find: async (id) => (id === ID ? record && structuredClone(record) : undefined),
      updateWrite: async (next, expected) => {
        expect(next.version).toBe(expected + 1);
        return { op: 'put', table: 'data', item: { ...next } as unknown as StoreItem, condition: { kind: 'version', version: expected }, label: 'incident' };
      },
    },
    store,
    audit: {
      record: async (_context, d) => void drafts.push(...d),
      commit: async (_context, d, writes) => {
        await store.transact(writes);
        drafts.push(...d);
      },
    },
    clock: { now: () => now },
    scope: { counts: async () => counts },
    notifications: { progress: async () => progress },
    obligations: defaultObligations,
    operatorType: 'ordinary',
    contact: CONTACT,
  });
  return {
    service,
    drafts,
    transactions,
    record: () => record!,
    set: (r: IncidentRecord) => (record = r),
    setNow: (hours: number) => (now = at(hours)),
  };
}

const byKey = (items: ReportItem[]) => Object.fromEntries(items.map((i) => [i.key, i]));
const missingKeys = (items: ReportItem[]) => items.filter((i) => i.missing).map((i) => i.key);

describe('report items', () => {
  it('GDPR Art. 33(3): (a) to (d), all known', async () => {
    const { service, drafts } = harness(known());
    const report = await service.build(ID, 'gdpr', dpo);
    expect(report).toMatchObject({ incidentId: ID, regime: 'gdpr', obligation: 'gdpr-33', basis: 'GDPR Art. 33(1)', complete: true, submissions: [] });
    expect(report.deadline).toMatchObject({ obligation: 'gdpr-33', state: 'running' });
    expect(report.delayReason).toBeUndefined();
    const items = byKey(report.items);
    expect(Object.keys(items)).toEqual(['a', 'a.categories', 'a.subjects', 'a.records', 'b', 'c', 'd']);
    expect(items['a.categories']!.value).toEqual(['identity', 'contact']);
    expect(items['a.subjects']!.value).toBe(1200);
    expect(items['a.records']!.value).toBe(2400);
    expect(items.b!.value).toBe(CONTACT);
    expect(items.c!.value).toBe('Phishing mail to the people listed');
    expect(items.d!.value).toEqual({ taken: 'Share closed, file deleted', steps: [{ action: 'Review share permissions', owner: 'it-ops', dueOn: '2026-05-10', status: 'open' }] });
    expect(drafts).toEqual([{ action: 'incident.report.read', target: { type: 'incident', id: ID } }]);
  });

  it('GDPR: marks what is not known yet', async () => {
    const { service } = harness(bare(), empty);
    const report = await service.build(ID, 'gdpr', dpo);
    expect(report.complete).toBe(false);
    expect(missingKeys(report.items)).toEqual(['a.categories', 'a.subjects', 'a.records', 'c', 'd']);
    expect(byKey(report.items).c).not.toHaveProperty('value');
  });

  it('GDPR: planned steps alone count as measures proposed', async () => {
    const r = known();
    delete r.text.measures;
    const { service } = harness(r);
    expect(byKey((await service.build(ID, 'gdpr', dpo)).items).d!.missing).toBe(false);
  });

  it('PIPL Art. 57: categories, causes, harm, measures, what people can do, contact', async () => {
    const { service } = harness(known());
    const report = await service.build(ID, 'pipl', dpo);
    expect(report).toMatchObject({ obligation: 'pipl-57-authority', complete: true });
    const items = byKey(report.items);
    expect(Object.keys(items)).toEqual(['categories', 'causes', 'harm', 'measures', 'advice', 'contact']);
    expect(items.categories!.value).toMatchObject({ categories: ['identity', 'contact'], affected: 1200 });
    expect(items.causes!.value).toBe('Share permissions left open');
    expect(items.advice!.value).toBe('Ignore mail asking for passwords');

    const partial = harness(bare());
    expect(missingKeys((await partial.service.build(ID, 'pipl', dpo)).items)).toEqual(['categories', 'causes', 'harm', 'measures', 'advice']);
  });

  it('CAC Art. 7: the first report, partial when little is known', async () => {
    const h = harness(known());
    h.setNow(2);
    const report = await h.service.build(ID, 'cac', dpo);
    expect(report).toMatchObject({ obligation: 'cac-first-report', complete: true });
    expect(report.deadline).toMatchObject({ state: 'running', dueAt: at(4).toISOString() });
    const items = byKey(report.items);
    expect(Object.keys(items)).toEqual(['operator', 'time', 'type', 'scope', 'impact', 'measures', 'cause', 'next', 'contact']);
    expect(items.operator!.value).toEqual({ operatorType: 'ordinary', systems: ['crm', 'export-share'] });
    expect(items.time!.value).toEqual({ occurredAt: '2026-05-03T22:00:00.000Z', discoveredAt: '2026-05-04T08:00:00.000Z', awareAt: aware });
    expect(items.type!.value).toMatchObject({ grade: 'relatively-major' });
    expect(items.scope!.value).toMatchObject({ affected: 1200, byJurisdiction: { EU: 200, CN: 1000 } });

    const partial = harness(bare(), empty);
    const first = await partial.service.build(ID, 'cac', dpo);
    expect(first.complete).toBe(false);
    expect(missingKeys(first.items)).toEqual(['operator', 'scope', 'impact', 'measures', 'cause', 'next']);
    expect(byKey(first.items).type!.value).toMatchObject({ grade: 'general' });
  });

  it('CAC: a first report past its 4 hours asks for the delay too', async () => {
    const h = harness(known());
    h.setNow(5);
    const report = await h.service.build(ID, 'cac', dpo);
    expect(report.deadline.state).toBe('missed');
    expect(byKey(report.items).delay).toEqual({ key: 'delay', label: 'Reasons for the delay', missing: true });
  });
});

describe('a late report', () => {
  it('asks for the reasons of the delay while none is recorded', async () => {
    const h = harness(known());
    h.setNow(73);
    const report = await h.service.build(ID, 'gdpr', dpo);
    expect(report.deadline.state).toBe('missed');
    expect(byKey(report.items).delay).toEqual({ key: 'delay', label: 'Art. 33(1): reasons for the delay', missing: true });
    expect(report.complete).toBe(false);
    expect(report.delayReason).toBeUndefined();
  });

  it('gives the reasons recorded for the deadline', async () => {
    const r = known();
    r.explanations = { 'gdpr-33': { at: at(70).toISOString(), by: 'dpo-1' } };
    r.text.notes['explain:gdpr-33'] = 'The processor told us on day four';
    const h = harness(r);
    h.setNow(80);
    const report = await h.service.build(ID, 'gdpr', dpo);
    expect(report.deadline.state).toBe('explained');
    expect(report.delayReason).toBe('The processor told us on day four');
    expect(byKey(report.items).delay).toMatchObject({ missing: false, value: 'The processor told us on day four' });
    expect(report.complete).toBe(true);
  });

  it('has no delay item when in time', async () => {
    const h = harness(known());
    h.setNow(71);
    expect(byKey((await h.service.build(ID, 'gdpr', dpo)).items).delay).toBeUndefined();
  });
});

describe('submissions', () => {
  it('records the first report, meeting the deadline, then appends follow-ups', async () => {
    const h = harness(known());
    const first = await h.service.submit(ID, 'gdpr', { phase: 'initial', submittedAt: at(9).toISOString(), recipient: 'BlnBDI', reference: 'BDI-2026-17', note: 'Sent by the portal' }, dpo);
    expect(first).toEqual({ regime: 'gdpr', phase: 'initial', submittedAt: at(9).toISOString(), recipient: 'BlnBDI', reference: 'BDI-2026-17', note: 'Sent by the portal', recordedAt: at(10).toISOString(), recordedBy: 'dpo-1' });
    expect(h.record()).toMatchObject({ met: { 'gdpr-33': { at: at(9).toISOString(), reference: 'BDI-2026-17' } }, firstReportAt: at(9).toISOString(), version: 2 });
    expect(h.drafts.at(-1)).toEqual({ action: 'incident.report.submit', target: { type: 'incident', id: ID } });
    // The note never sits in the submission item, only in the sealed text.
    const put = h.transactions.at(-1)!.find((w) => w.label === 'submission') as { item: StoreItem };
    expect(JSON.stringify(put.item)).not.toContain('Sent by the portal');

    h.setNow(30);
    await h.service.submit(ID, 'gdpr', { phase: 'follow-up', submittedAt: at(29).toISOString(), recipient: 'BlnBDI', reference: 'BDI-2026-17' }, dpo);
    expect(h.record()).toMatchObject({ met: { 'gdpr-33': { at: at(9).toISOString() } }, firstReportAt: at(9).toISOString(), version: 2 });
    const all = await h.service.submissions(ID, 'gdpr');
    expect(all.map((s) => s.phase)).toEqual(['initial', 'follow-up']);
    expect(all[0]!.note).toBe('Sent by the portal');

    const report = await h.service.build(ID, 'gdpr', dpo);
    expect(report.deadline).toMatchObject({ state: 'met', metAt: at(9).toISOString() });
    expect(report.submissions).toHaveLength(2);
    expect((await h.service.build(ID, 'gdpr', admin)).submissions[0]).not.toHaveProperty('note');
    expect(await h.service.submissions(ID, 'cac')).toEqual([]);
  });

  it('meets the CAC summary with a final report, the first report with the others', async () => {
    const h = harness({ ...known(), handlingEndedAt: at(8).toISOString() });
    await h.service.submit(ID, 'cac', { phase: 'initial', submittedAt: at(3).toISOString(), recipient: '上海市网信办', reference: 'SH-1' }, dpo);
    h.setNow(11);
    await h.service.submit(ID, 'cac', { phase: 'final', submittedAt: at(11).toISOString(), recipient: '上海市网信办', reference: 'SH-1-F' }, dpo);
    expect(Object.keys(h.record().met).sort()).toEqual(['cac-first-report', 'cac-summary']);
    expect(h.record().firstReportAt).toBe(at(3).toISOString());
  });

  it('refuses a submission in the future, and an unknown incident', async () => {
    const h = harness(known());
    await expect(h.service.submit(ID, 'gdpr', { phase: 'initial', submittedAt: at(10.01).toISOString(), recipient: 'x', reference: 'y' }, dpo)).rejects.toMatchObject({ field: 'submittedAt' });
    await expect(h.service.submit(ID, 'gdpr', { phase: 'initial', submittedAt: at(11).toISOString(), recipient: 'x', reference: 'y' }, dpo)).rejects.toBeInstanceOf(ValidationError);
    await expect(h.service.build('00000000-0000-4000-8000-000000000000', 'gdpr', dpo)).rejects.toBeInstanceOf(NotFoundError);
    expect(h.transactions).toHaveLength(0);
  });

  it('answers 409 when the incident changed meanwhile', async () => {
    const h = harness(known());
    const service = h.service;
    const original = h.record();
    // Another change lands between the read and the write.
    const racing = { ...original, version: 5 };
    const find = (service as unknown as { deps: { repository: { find: (id: string) => Promise<IncidentRecord> } } }).deps.repository;
    const realFind = find.find;
    find.find = async (id) => {
      const r = await realFind(id);
      h.set(racing);
      return r;
    };
    await expect(service.submit(ID, 'pipl', { phase: 'initial', submittedAt: at(9).toISOString(), recipient: 'x', reference: 'y' }, dpo)).rejects.toBeInstanceOf(ConflictError);
  });
});
