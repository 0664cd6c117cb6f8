import { effectiveGrade } from './grading.js';
import { noteKeys } from './presenter.js';
import type { Deadline, IncidentRecord, OperatorType, ReportItem, ReportRegime, ScopeCounts } from './types.js';

/** What a report is built from: the record (text opened), the scope's counts, its deadline. */
export interface ReportFacts {
  record: IncidentRecord;
  counts: ScopeCounts;
  deadline: Deadline;
  operatorType: OperatorType;
  contact: string;
}

const blank = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);

/** An item, missing when its value (or any of `required`) is blank. */
function item(key: string, label: string, value: unknown, required: unknown[] = [value]): ReportItem {
  const missing = required.some(blank);
  return blank(value) ? { key, label, missing } : { key, label, value, missing };
}

const stepsOf = (record: IncidentRecord) =>
  record.steps.map((step) => ({ action: record.text.notes[noteKeys.step(step.id)] ?? '', owner: step.owner, dueOn: step.dueOn, status: step.status }));

/** Records concerned, approximately: each affected person's record once per category leaked. */
const recordsOf = (counts: ScopeCounts): number => Object.values(counts.byCategory).reduce<number>((sum, n) => sum + (n ?? 0), 0);

/** GDPR Art. 33(3): what the notification to the supervisory authority describes, at least. */
function gdprItems({ record, counts, contact }: ReportFacts): ReportItem[] {
  const { text } = record;
  const records = recordsOf(counts);
  return [
    item('a', 'Art. 33(3)(a): nature of the breach', text.description),
    item('a.categories', 'Art. 33(3)(a): categories of personal data concerned', record.dataCategories),
    item('a.subjects', 'Art. 33(3)(a): approximate number of data subjects concerned', counts.affected > 0 ? counts.affected : undefined),
    item('a.records', 'Art. 33(3)(a): approximate number of personal data records concerned', records > 0 ? records : undefined),
    item('b', 'Art. 33(3)(b): name and contact details of the data protection officer', contact),
    item('c', 'Art. 33(3)(c): likely consequences of the breach', text.consequences),
    item('d', 'Art. 33(3)(d): measures taken or proposed, including to mitigate its effects', measuresOf(record)),
  ];
}

const measuresOf = (record: IncidentRecord) => {
  const steps = stepsOf(record);
  if (record.text.measures === undefined && !steps.length) return undefined;
  return { ...(record.text.measures !== undefined ? { taken: record.text.measures } : {}), steps };
};

/** PIPL Art. 57: what the authority and the people affected are told. */
function piplItems({ record, counts, contact }: ReportFacts): ReportItem[] {
  const { text } = record;
  return [
    item('categories', 'Art. 57(1)(1): categories of personal information leaked, tampered with or lost', record.dataCategories.length ? { categories: record.dataCategories, affected: counts.affected, byCategory: counts.byCategory } : undefined),
    item('causes', 'Art. 57(1)(1): causes', text.cause),
    item('harm', 'Art. 57(1)(1): possible harm', text.consequences),
    item('measures', 'Art. 57(1)(2): remedial measures taken', text.measures),
    item('advice', 'Art. 57(1)(2): measures individuals can take to mitigate harm', text.advice),
    item('contact', 'Art. 57(1)(3): contact of the personal information handler', contact),
  ];
}

/**
 * 国家网络安全事件报告管理办法 Art. 7: the first report's content. It may go partial (the
 * cause preliminary) and be completed later; the missing items say what to follow up.
 */
function cacItems({ record, counts, contact, operatorType }: ReportFacts): ReportItem[] {
  const { text } = record;
  return [
    item('operator', 'Operator and the facility, system or platform concerned', record.systems.length ? { operatorType, systems: record.systems } : undefined),
    item('time', 'Time the incident occurred and was discovered', { occurredAt: record.occurredAt, discoveredAt: record.discoveredAt, awareAt: record.awareAt }),
    item('type', 'Type and grade of the incident', { type: 'personal-information', dataCategories: record.dataCategories, grade: effectiveGrade(record, counts), severity: record.severity }),
    item('scope', 'Affected scope and numbers of people', counts.affected > 0 ? { affected: counts.affected, byRegion: counts.byRegion, byJurisdiction: counts.byJurisdiction } : undefined),
    item('impact', 'Impact and harm caused', text.consequences),
    item('measures', 'Emergency measures taken and their effect', text.measures === undefined ? undefined : { taken: text.measures, status: record.status }),
    item('cause', 'Cause (preliminary analysis)', text.cause),
    item('next', 'Next steps', stepsOf(record)),
    item('contact', 'Contact', contact),
  ];
}

/**
 * A late report must give its reasons (GDPR Art. 33(1); asked of the others too): the
 * explanation recorded for the deadline, or a missing item saying one is needed.
 */
export function delayItem(record: IncidentRecord, deadline: Deadline): ReportItem | undefined {
  if (deadline.state !== 'late' && deadline.state !== 'missed' && deadline.state !== 'explained') return undefined;
  const label = deadline.regime === 'gdpr' ? 'Art. 33(1): reasons for the delay' : 'Reasons for the delay';
  return item('delay', label, record.text.notes[noteKeys.explain(deadline.obligation)]);
}

/** The items of a regime's report, the delay's reasons last when due. */
export function reportItems(regime: ReportRegime, facts: ReportFacts): ReportItem[] {
  const items = regime === 'gdpr' ? gdprItems(facts) : regime === 'pipl' ? piplItems(facts) : cacItems(facts);
  const delay = delayItem(facts.record, facts.deadline);
  return delay ? [...items, delay] : items;
}
