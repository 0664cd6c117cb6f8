import * as z from 'zod/mini';
import { effectiveGrade, gradeAtLeast } from './grading.js';
import { jurisdictions, reportRegimes, type Deadline, type Exposure, type IncidentRecord, type NotificationProgress, type Obligation, type OperatorType, type ScopeCounts } from './types.js';

export { effectiveGrade, gradeOf, maxGrade, gradeAtLeast } from './grading.js';

const HOUR_MS = 3_600_000;

/**
 * The obligations a deployment starts with (INCIDENT_OBLIGATIONS replaces the list).
 * GDPR Art. 33(5) asks for every breach to be documented whether or not it is reported:
 * every deadline is shown on the incident, applying or not, with the reason.
 */
export const defaultObligations: Obligation[] = [
  // The 72 hours run from awareness, not from the breach or its discovery (Art. 33(1)); a late
  // report gives the reasons for the delay, and information may follow in phases (Art. 33(4)).
  { id: 'gdpr-33', regime: 'gdpr', jurisdiction: 'EU', audience: 'authority', basis: 'GDPR Art. 33(1)', from: 'awareness', hours: 72, when: 'affected-in-jurisdiction' },
  // "Without undue delay" when the risk is high (Art. 34(1)); not owed when the data was
  // unintelligible to others, e.g. encrypted with the keys safe (Art. 34(3)(a)).
  { id: 'gdpr-34', regime: 'gdpr', jurisdiction: 'EU', audience: 'individuals', basis: 'GDPR Art. 34(1), 34(3)(a)', from: 'awareness', targetHours: 72, when: 'high-risk-intelligible' },
  // PIPL Art. 57: remedial measures at once and notice to the authority ("立即").
  { id: 'pipl-57-authority', regime: 'pipl', jurisdiction: 'CN', audience: 'authority', basis: 'PIPL Art. 57(1)', from: 'awareness', targetHours: 72, when: 'affected-in-jurisdiction' },
  // PIPL Art. 57(2): individuals need not be told where the measures effectively avoid harm;
  // data leaked sealed with the keys safe is taken as that case.
  { id: 'pipl-57-individuals', regime: 'pipl', jurisdiction: 'CN', audience: 'individuals', basis: 'PIPL Art. 57(1), 57(2)', from: 'awareness', targetHours: 72, when: 'affected-in-jurisdiction' },
  // 国家网络安全事件报告管理办法 (in force 1 Nov 2025): 较大 or above to the provincial
  // cyberspace office within 4 hours (1 hour for critical infrastructure, see `hoursOf`);
  // a first report may be partial and completed later.
  { id: 'cac-first-report', regime: 'cac', jurisdiction: 'CN', audience: 'authority', basis: '国家网络安全事件报告管理办法 Art. 6, 7', from: 'awareness', hours: 4, when: 'cac-grade' },
  // The summary report within 30 days after handling ends.
  { id: 'cac-summary', regime: 'cac', jurisdiction: 'CN', audience: 'authority', basis: '国家网络安全事件报告管理办法 Art. 9', from: 'handling-ended', hours: 30 * 24, when: 'cac-grade' },
  // 网络数据安全管理条例 Art. 11 (in force 1 Jan 2025): the people affected told promptly by
  // phone, SMS, IM, email or public notice; the same exemption as PIPL Art. 57(2).
  { id: 'ndsr-11-individuals', regime: 'pipl', jurisdiction: 'CN', audience: 'individuals', basis: '网络数据安全管理条例 Art. 11', from: 'awareness', targetHours: 72, when: 'affected-in-jurisdiction' },
];

const positiveHours = z.number().check(z.positive('must be a positive number of hours'), z.maximum(24 * 366, 'must be at most a year'));
const obligationSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes')),
    regime: z.enum(reportRegimes),
    jurisdiction: z.enum(jurisdictions),
    audience: z.enum(['authority', 'individuals']),
    basis: z.string().check(z.trim(), z.minLength(1, 'must name the article'), z.maxLength(200)),
    from: z.enum(['awareness', 'handling-ended']),
    hours: z.optional(positiveHours),
    targetHours: z.optional(positiveHours),
    when: z.enum(['always', 'high-risk-intelligible', 'cac-grade', 'affected-in-jurisdiction']),
  })
  .check(z.refine((o) => o.hours !== undefined || o.targetHours !== undefined, { message: 'needs hours or targetHours', path: ['hours'] }));

/**
 * Obligations from JSON (INCIDENT_OBLIGATIONS): the complete list, replacing the defaults.
 * A bad entry throws an Error naming its index, id and field, so a typo never leaves a
 * legal clock unwatched.
 */
export function parseObligations(json: string): Obligation[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('INCIDENT_OBLIGATIONS must be a JSON array of obligations.');
  }
  if (!Array.isArray(raw) || raw.length === 0) throw new Error('INCIDENT_OBLIGATIONS must be a non-empty JSON array of obligations.');
  const seen = new Set<string>();
  return raw.map((entry: unknown, index) => {
    const id = typeof entry === 'object' && entry !== null && typeof (entry as { id?: unknown }).id === 'string' ? (entry as { id: string }).id : undefined;
    const name = `INCIDENT_OBLIGATIONS[${index}]${id === undefined ? '' : ` ("${id}")`}`;
    const parsed = z.safeParse(obligationSchema, entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'entry';
      throw new Error(`${name}: ${field} ${issue?.message ?? 'is invalid'}.`);
    }
    if (seen.has(parsed.data.id)) throw new Error(`${name}: id is repeated.`);
    seen.add(parsed.data.id);
    const { hours, targetHours, ...rest } = parsed.data;
    return { ...rest, ...(hours === undefined ? {} : { hours }), ...(targetHours === undefined ? {} : { targetHours }) };
  });
}

/** Whether leaked data is intelligible to others: any field in clear, or sealed fields with their keys. */
export const intelligibleOf = (exposure: Exposure): boolean => exposure.clearFields.length > 0 || (exposure.keysExposed && exposure.sealedFields.length > 0);

/**
 * The hours an obligation allows this operator. The CAC first report is 4 hours for an
 * ordinary operator and 1 hour for critical infrastructure; the measures set their own
 * channel for state organs, which Kehu holds to the stricter 1 hour.
 */
export function hoursOf(obligation: Obligation, operatorType: OperatorType): number | undefined {
  const hours = obligation.hours ?? obligation.targetHours;
  if (hours === undefined) return undefined;
  if (obligation.when === 'cac-grade' && obligation.from === 'awareness' && operatorType !== 'ordinary') return Math.min(hours, 1);
  return hours;
}

export interface DeadlineFacts {
  counts: ScopeCounts;
  notifications: NotificationProgress;
  now: Date;
  obligations: Obligation[];
  operatorType: OperatorType;
}

type Applicability = { applies: boolean; reason?: string };

const inJurisdiction = (record: IncidentRecord, counts: ScopeCounts, obligation: Obligation) =>
  record.jurisdictions.includes(obligation.jurisdiction) || (counts.byJurisdiction[obligation.jurisdiction] ?? 0) > 0;

/** The assessment's view of intelligibility; undefined until assessed. */
const intelligibility = (record: IncidentRecord): boolean | undefined =>
  record.assessment === undefined ? undefined : intelligibleOf(record.assessment.exposure);

function applicability(record: IncidentRecord, obligation: Obligation, facts: DeadlineFacts): Applicability {
  if (obligation.when === 'always') return { applies: true };
  if (!inJurisdiction(record, facts.counts, obligation)) return { applies: false, reason: `no one affected in ${obligation.jurisdiction}` };
  const intelligible = intelligibility(record);
  if (obligation.when === 'high-risk-intelligible') {
    // Until assessed, the notice is taken as owed: the clock runs from awareness either way.
    if (record.assessment === undefined) return { applies: true, reason: 'not assessed yet: owed unless the risk is not high or the data was unintelligible' };
    if (!record.assessment.highRisk) return { applies: false, reason: 'the risk to the people affected is not high' };
    if (intelligible === false) return { applies: false, reason: 'the data was unintelligible to others (sealed, keys safe)' };
    return { applies: true, reason: 'high risk and the data intelligible to others' };
  }
  if (obligation.when === 'cac-grade') {
    const grade = effectiveGrade(record, facts.counts);
    if (!gradeAtLeast(grade, 'relatively-major')) return { applies: false, reason: `graded ${grade}: reports start at relatively-major (1,000,000 people)` };
    return { applies: true, reason: `graded ${grade}` };
  }
  // 'affected-in-jurisdiction': individuals are spared the notice where the measures avoid harm,
  // which Kehu takes to be data that leaked sealed with the keys safe.
  if (obligation.audience === 'individuals' && intelligible === false) return { applies: false, reason: 'the data was unintelligible to others (sealed, keys safe): the measures avoid harm' };
  return { applies: true };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** When the obligation was met: authority ones by a recorded submission, individuals' ones when the notification run ended. */
function metAtOf(record: IncidentRecord, obligation: Obligation, notifications: NotificationProgress): string | undefined {
  if (obligation.audience === 'authority') return record.met[obligation.id]?.at;
  return notifications.state === 'done' ? notifications.finishedAt : undefined;
}

/** One obligation's deadline for this incident. */
export function deadlineOf(record: IncidentRecord, obligation: Obligation, facts: DeadlineFacts): Deadline {
  const { applies, reason } = applicability(record, obligation, facts);
  const change = record.deadlineChanges[obligation.id];
  const metAt = metAtOf(record, obligation, facts.notifications);
  const base = obligation.from === 'awareness' ? record.awareAt : record.handlingEndedAt;
  const hours = hoursOf(obligation, facts.operatorType);
  const deadline: Deadline = {
    obligation: obligation.id,
    regime: obligation.regime,
    audience: obligation.audience,
    basis: obligation.basis,
    applies,
    ...(reason === undefined ? {} : { reason }),
    state: 'not-applicable',
    ...(metAt === undefined ? {} : { metAt }),
    ...(change === undefined ? {} : { changed: { at: change.at, by: change.by, from: change.from } }),
    alerted: [...(record.alerted[obligation.id] ?? [])].sort((a, b) => a - b),
  };
  if (base === undefined || (hours === undefined && change === undefined)) {
    // The clock has not started (the summary report before handling ended).
    if (applies) deadline.state = metAt !== undefined ? 'met' : record.explanations[obligation.id] ? 'explained' : 'pending';
    return deadline;
  }
  const baseMs = Date.parse(base);
  const dueMs = change !== undefined ? Date.parse(change.dueAt) : baseMs + (hours ?? 0) * HOUR_MS;
  const nowMs = facts.now.getTime();
  const atMs = metAt === undefined ? nowMs : Date.parse(metAt);
  const span = dueMs - baseMs;
  deadline.dueAt = iso(dueMs);
  deadline.remainingMs = dueMs - nowMs;
  // A deadline moved to or before its start counts as fully elapsed once it is reached.
  deadline.elapsed = span > 0 ? Math.max(0, (atMs - baseMs) / span) : atMs >= dueMs ? 1 : 0;
  if (!applies) return deadline;
  if (metAt !== undefined && Date.parse(metAt) <= dueMs) deadline.state = 'met';
  else if (record.explanations[obligation.id]) deadline.state = 'explained';
  else if (metAt !== undefined) deadline.state = 'late';
  else if (nowMs > dueMs) deadline.state = 'missed';
  else deadline.state = 'running';
  return deadline;
}

/** Every obligation's deadline for the incident, in the obligations' order. */
export function deadlinesOf(record: IncidentRecord, facts: DeadlineFacts): Deadline[] {
  return facts.obligations.map((obligation) => deadlineOf(record, obligation, facts));
}
