import { describe, expect, it } from 'vitest';
import { deadlinesOf, defaultObligations, effectiveGrade, gradeOf, hoursOf, parseObligations } from '../../shared/contexts/incidents/obligations.js';
import type { Deadline, IncidentRecord, NotificationProgress, Obligation, OperatorType, ScopeCounts } from '../../shared/contexts/incidents/types.js';

/** BR-2: which legal clocks run for an incident, from when, and how each ends. */
const HOUR = 3_600_000;
const aware = '2026-05-04T10:00:00.000Z';
const at = (hours: number) => new Date(Date.parse(aware) + hours * HOUR);

function record(overrides: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: '7d5e4c1a-0b6f-4d7e-9a51-2c3b4d5e6f70',
    source: 'staff',
    draft: false,
    drill: false,
    occurredAt: '2026-04-20T08:00:00.000Z',
    // Discovered days before anyone knew it was a breach: the clocks start at awareness.
    discoveredAt: '2026-05-01T09:00:00.000Z',
    awareAt: aware,
    dataCategories: ['identity', 'contact'],
    systems: ['crm'],
    jurisdictions: [],
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

const counts = (byJurisdiction: ScopeCounts['byJurisdiction'] = {}, affected?: number): ScopeCounts => ({
  affected: affected ?? Object.values(byJurisdiction).reduce<number>((a, b) => a + (b ?? 0), 0),
  byRegion: {},
  byJurisdiction,
  byCategory: {},
});
const notStarted: NotificationProgress = { affected: 0, pending: 0, queued: 0, sent: 0, failed: 0, undeliverable: 0, skipped: 0, state: 'not-started', drill: false };
const assessed = (highRisk: boolean, exposure: { sealedFields?: string[]; clearFields?: string[]; keysExposed?: boolean }): IncidentRecord['assessment'] => {
  const full = { sealedFields: exposure.sealedFields ?? [], clearFields: exposure.clearFields ?? [], keysExposed: exposure.keysExposed ?? false };
  return { highRisk, exposure: full, intelligible: full.clearFields.length > 0 || (full.keysExposed && full.sealedFields.length > 0), assessedAt: aware, assessedBy: 'dpo-1' };
};

function deadlines(
  r: IncidentRecord,
  facts: { counts?: ScopeCounts; now?: Date; notifications?: NotificationProgress; operatorType?: OperatorType; obligations?: Obligation[] } = {},
): Record<string, Deadline> {
  const list = deadlinesOf(r, {
    counts: facts.counts ?? counts(),
    notifications: facts.notifications ?? notStarted,
    now: facts.now ?? at(1),
    obligations: facts.obligations ?? defaultObligations,
    operatorType: facts.operatorType ?? 'ordinary',
  });
  return Object.fromEntries(list.map((d) => [d.obligation, d]));
}

describe('the obligations of the law', () => {
  it('lists every default obligation with its article, each once', () => {
    const ids = defaultObligations.map((o) => o.id);
    expect(ids).toEqual(['gdpr-33', 'gdpr-34', 'pipl-57-authority', 'pipl-57-individuals', 'cac-first-report', 'cac-summary', 'ndsr-11-individuals']);
    for (const o of defaultObligations) expect(o.basis).toMatch(/Art\. \d+/);
    expect(defaultObligations.find((o) => o.id === 'gdpr-33')).toMatchObject({ audience: 'authority', from: 'awareness', hours: 72, jurisdiction: 'EU' });
    expect(defaultObligations.find((o) => o.id === 'cac-summary')).toMatchObject({ from: 'handling-ended', hours: 720 });
  });

  it('shows every deadline even when none applies (Art. 33(5)), with the reason', () => {
    const all = deadlines(record());
    expect(Object.keys(all)).toHaveLength(defaultObligations.length);
    for (const d of Object.values(all)) {
      expect(d).toMatchObject({ applies: false, state: 'not-applicable' });
      expect(d.reason).toBeTruthy();
    }
  });
});

describe('GDPR Art. 33: 72 hours from awareness', () => {
  it('counts from awareness, not from discovery or occurrence', () => {
    const d = deadlines(record({ jurisdictions: ['EU'] }), { now: at(36) })['gdpr-33']!;
    expect(d).toMatchObject({ applies: true, state: 'running', dueAt: '2026-05-07T10:00:00.000Z', remainingMs: 36 * HOUR, elapsed: 0.5 });
  });

  it('applies when the scope found people in the EU though the record named no jurisdiction', () => {
    expect(deadlines(record(), { counts: counts({ EU: 1 }) })['gdpr-33']!.applies).toBe(true);
    expect(deadlines(record(), { counts: counts({ CN: 5, OTHER: 2 }) })['gdpr-33']!.applies).toBe(false);
  });

  it('is met, late, missed or explained', () => {
    const eu = { jurisdictions: ['EU' as const] };
    expect(deadlines(record({ ...eu, met: { 'gdpr-33': { at: at(71).toISOString() } } }), { now: at(80) })['gdpr-33']).toMatchObject({ state: 'met', metAt: at(71).toISOString() });
    expect(deadlines(record({ ...eu, met: { 'gdpr-33': { at: at(72).toISOString() } } }), { now: at(80) })['gdpr-33']!.state).toBe('met');
    expect(deadlines(record({ ...eu, met: { 'gdpr-33': { at: at(73).toISOString() } } }), { now: at(80) })['gdpr-33']!.state).toBe('late');
    expect(deadlines(record(eu), { now: at(72) })['gdpr-33']!.state).toBe('running');
    const missed = deadlines(record(eu), { now: at(73) })['gdpr-33']!;
    expect(missed).toMatchObject({ state: 'missed', remainingMs: -HOUR });
    expect(missed.elapsed).toBeCloseTo(73 / 72);
    const explanation = { explanations: { 'gdpr-33': { at: at(74).toISOString(), by: 'dpo-1' } } };
    expect(deadlines(record({ ...eu, ...explanation }), { now: at(80) })['gdpr-33']!.state).toBe('explained');
    expect(deadlines(record({ ...eu, ...explanation, met: { 'gdpr-33': { at: at(75).toISOString() } } }), { now: at(80) })['gdpr-33']!.state).toBe('explained');
    // Met in time stays met, an explanation aside.
    expect(deadlines(record({ ...eu, ...explanation, met: { 'gdpr-33': { at: at(2).toISOString() } } }), { now: at(80) })['gdpr-33']!.state).toBe('met');
  });

  it('follows a moved deadline and says from when it moved', () => {
    const moved = record({ jurisdictions: ['EU'], deadlineChanges: { 'gdpr-33': { dueAt: at(96).toISOString(), from: at(72).toISOString(), at: at(10).toISOString(), by: 'dpo-1' } } });
    const d = deadlines(moved, { now: at(80) })['gdpr-33']!;
    expect(d).toMatchObject({ state: 'running', dueAt: at(96).toISOString(), changed: { from: at(72).toISOString(), by: 'dpo-1', at: at(10).toISOString() } });
    expect(d.elapsed).toBeCloseTo(80 / 96);
    expect(deadlines(moved, { now: at(97) })['gdpr-33']!.state).toBe('missed');
  });

  it('carries the fractions already announced', () => {
    expect(deadlines(record({ jurisdictions: ['EU'], alerted: { 'gdpr-33': [0.9, 0.5] } }))['gdpr-33']!.alerted).toEqual([0.5, 0.9]);
  });
});

describe('GDPR Art. 34 and the individuals’ notices', () => {
  const eu = (assessment?: IncidentRecord['assessment']) => record({ jurisdictions: ['EU', 'CN'], ...(assessment ? { assessment } : {}) });

  it('owes Art. 34 only when the risk is high and the data intelligible to others', () => {
    expect(deadlines(eu(assessed(true, { clearFields: ['email'] })))['gdpr-34']).toMatchObject({ applies: true, state: 'running', dueAt: at(72).toISOString() });
    expect(deadlines(eu(assessed(false, { clearFields: ['email'] })))['gdpr-34']).toMatchObject({ applies: false, state: 'not-applicable' });
    // Art. 34(3)(a): sealed with the keys safe.
    expect(deadlines(eu(assessed(true, { sealedFields: ['email'] })))['gdpr-34']).toMatchObject({ applies: false, state: 'not-applicable' });
  });

  it('counts sealed fields as clear when the keys were exposed too', () => {
    const all = deadlines(eu(assessed(true, { sealedFields: ['email'], keysExposed: true })));
    expect(all['gdpr-34']!.applies).toBe(true);
    expect(all['pipl-57-individuals']!.applies).toBe(true);
    expect(all['ndsr-11-individuals']!.applies).toBe(true);
    // Keys exposed with nothing sealed leaked: nothing intelligible.
    expect(deadlines(eu(assessed(true, { keysExposed: true })))['gdpr-34']!.applies).toBe(false);
  });

  it('spares the PIPL and NDSR notices for sealed data with the keys safe, whatever the risk', () => {
    const sealed = deadlines(eu(assessed(true, { sealedFields: ['phone'] })));
    expect(sealed['pipl-57-individuals']!.applies).toBe(false);
    expect(sealed['ndsr-11-individuals']!.applies).toBe(false);
    const clear = deadlines(eu(assessed(false, { clearFields: ['phone'] })));
    expect(clear['pipl-57-individuals']!.applies).toBe(true);
    expect(clear['ndsr-11-individuals']!.applies).toBe(true);
    expect(clear['gdpr-34']!.applies).toBe(false);
  });

  it('takes the notices as owed until the assessment says otherwise', () => {
    const all = deadlines(eu());
    expect(all['gdpr-34']!.applies).toBe(true);
    expect(all['pipl-57-individuals']!.applies).toBe(true);
  });

  it('meets them when the notification run ends', () => {
    const done: NotificationProgress = { ...notStarted, state: 'done', startedAt: at(5).toISOString(), finishedAt: at(80).toISOString() };
    const all = deadlines(eu(assessed(true, { clearFields: ['email'] })), { notifications: done, now: at(90) });
    expect(all['gdpr-34']).toMatchObject({ state: 'late', metAt: at(80).toISOString() });
    const running = deadlines(eu(assessed(true, { clearFields: ['email'] })), { notifications: { ...done, state: 'running' }, now: at(60) });
    expect(running['gdpr-34']!.state).toBe('running');
    // Authority reports are not met by notices.
    expect(all['gdpr-33']!.state).toBe('missed');
  });
});

describe('CAC grades and the 4 or 1 hour first report', () => {
  it('grades by the number of people affected', () => {
    expect(gradeOf(0)).toBe('general');
    expect(gradeOf(999_999)).toBe('general');
    expect(gradeOf(1_000_000)).toBe('relatively-major');
    expect(gradeOf(9_999_999)).toBe('relatively-major');
    expect(gradeOf(10_000_000)).toBe('major');
    expect(gradeOf(99_999_999)).toBe('major');
    expect(gradeOf(100_000_000)).toBe('especially-major');
  });

  it('takes the override only when it raises the grade', () => {
    expect(effectiveGrade({ gradeOverride: 'major' }, { affected: 10 })).toBe('major');
    expect(effectiveGrade({ gradeOverride: 'relatively-major' }, { affected: 20_000_000 })).toBe('major');
    expect(effectiveGrade({}, { affected: 1_000_000 })).toBe('relatively-major');
  });

  it('owes the first report from relatively major up, within 4 hours for an ordinary operator', () => {
    const cn = record({ jurisdictions: ['CN'] });
    expect(deadlines(cn, { counts: counts({ CN: 999_999 }) })['cac-first-report']).toMatchObject({ applies: false, state: 'not-applicable' });
    expect(deadlines(cn, { counts: counts({ CN: 1_000_000 }) })['cac-first-report']).toMatchObject({ applies: true, state: 'running', dueAt: at(4).toISOString(), elapsed: 0.25 });
    expect(deadlines(record({ jurisdictions: ['CN'], gradeOverride: 'relatively-major' }))['cac-first-report']!.applies).toBe(true);
    expect(deadlines(cn, { counts: counts({ CN: 2_000_000 }), now: at(5) })['cac-first-report']!.state).toBe('missed');
  });

  it('gives critical infrastructure and state organs 1 hour', () => {
    const cn = record({ jurisdictions: ['CN'], gradeOverride: 'major' });
    for (const operatorType of ['critical-infrastructure', 'state-organ'] as const) {
      expect(deadlines(cn, { operatorType, now: at(0.5) })['cac-first-report']).toMatchObject({ dueAt: at(1).toISOString(), elapsed: 0.5 });
    }
    const first = defaultObligations.find((o) => o.id === 'cac-first-report')!;
    expect(hoursOf(first, 'ordinary')).toBe(4);
    expect(hoursOf(defaultObligations.find((o) => o.id === 'gdpr-33')!, 'critical-infrastructure')).toBe(72);
  });

  it('runs the summary report’s 30 days from the end of handling', () => {
    const cn = { jurisdictions: ['CN' as const], gradeOverride: 'major' as const };
    expect(deadlines(record(cn))['cac-summary']).toMatchObject({ applies: true, state: 'pending' });
    expect(deadlines(record(cn))['cac-summary']!.dueAt).toBeUndefined();
    const ended = record({ ...cn, handlingEndedAt: at(100).toISOString() });
    expect(deadlines(ended, { now: at(100 + 360) })['cac-summary']).toMatchObject({ state: 'running', dueAt: at(820).toISOString(), elapsed: 0.5 });
    expect(deadlines(ended, { now: at(821) })['cac-summary']!.state).toBe('missed');
    expect(deadlines(record({ ...ended, met: { 'cac-summary': { at: at(500).toISOString() } } }), { now: at(821) })['cac-summary']!.state).toBe('met');
  });

  it('runs the clocks of a draft too', () => {
    expect(deadlines(record({ draft: true, jurisdictions: ['EU'] }))['gdpr-33']!.state).toBe('running');
  });
});

describe('parseObligations', () => {
  const valid = JSON.stringify(defaultObligations);

  it('reads a complete list', () => {
    expect(parseObligations(valid)).toEqual(defaultObligations);
  });

  it('rejects bad JSON and bad entries, naming the entry', () => {
    expect(() => parseObligations('{oops')).toThrow(/INCIDENT_OBLIGATIONS must be a JSON array/);
    expect(() => parseObligations('{}')).toThrow(/JSON array/);
    expect(() => parseObligations('[]')).toThrow(/non-empty/);
    const broken = (index: number, change: Record<string, unknown>) => {
      const list: Array<Record<string, unknown>> = defaultObligations.map((o) => ({ ...o }));
      list[index] = { ...list[index], ...change };
      for (const [k, v] of Object.entries(change)) if (v === undefined) delete list[index]![k];
      return JSON.stringify(list);
    };
    expect(() => parseObligations(broken(1, { hours: -1 }))).toThrow('INCIDENT_OBLIGATIONS[1] ("gdpr-34"): hours');
    expect(() => parseObligations(broken(2, { regime: 'hipaa' }))).toThrow('INCIDENT_OBLIGATIONS[2] ("pipl-57-authority"): regime');
    expect(() => parseObligations(broken(0, { hours: undefined }))).toThrow('INCIDENT_OBLIGATIONS[0] ("gdpr-33"): hours needs hours or targetHours');
    expect(() => parseObligations(broken(3, { extra: true }))).toThrow('INCIDENT_OBLIGATIONS[3] ("pipl-57-individuals")');
    expect(() => parseObligations(broken(4, { id: 'gdpr-33' }))).toThrow('INCIDENT_OBLIGATIONS[4] ("gdpr-33"): id is repeated');
    expect(() => parseObligations(JSON.stringify([...defaultObligations, 5]))).toThrow('INCIDENT_OBLIGATIONS[7]: entry');
  });
});
