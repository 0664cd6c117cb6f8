import type { Deadline, Incident, IncidentRecord, IncidentTimings, NotificationProgress, ScopeCounts, ScopeRun, CacGrade } from './types.js';

/** What an incident shows beyond its record, read or computed when it is presented. */
export interface PresentFacts {
  runs: ScopeRun[];
  counts: ScopeCounts;
  notifications: NotificationProgress;
  deadlines: Deadline[];
  grade: CacGrade;
}

/** Note keys of the sealed text (types.ts `IncidentText.notes`). */
export const noteKeys = {
  history: (n: number) => `history:${n}`,
  deadline: (obligation: string) => `deadline:${obligation}`,
  explain: (obligation: string) => `explain:${obligation}`,
  step: (stepId: string) => `step:${stepId}`,
  grade: 'grade',
};

const span = (from: string | undefined, to: string | undefined) => (from && to ? Date.parse(to) - Date.parse(from) : undefined);

/** How long each stage took: scope runs (first start to last finish, once all are done), first report, notification. */
export function timingsOf(record: IncidentRecord, runs: ScopeRun[], notifications: NotificationProgress): IncidentTimings {
  const timings: IncidentTimings = {};
  if (runs.length && runs.every((run) => run.state === 'done')) {
    const first = runs.map((r) => r.startedAt).sort()[0];
    const last = runs.map((r) => r.finishedAt ?? r.startedAt).sort().at(-1);
    const scopeMs = span(first, last);
    if (scopeMs !== undefined) timings.scopeMs = scopeMs;
  }
  const reportMs = span(record.awareAt, record.firstReportAt);
  if (reportMs !== undefined) timings.reportMs = reportMs;
  const notificationMs = notifications.state === 'done' ? span(notifications.startedAt, notifications.finishedAt) : undefined;
  if (notificationMs !== undefined) timings.notificationMs = notificationMs;
  return timings;
}

/** The incident as shown: the record's clear fields with its text put back where it belongs. */
export function toIncident(record: IncidentRecord, facts: PresentFacts): Incident {
  const { text } = record;
  const notes = text.notes;
  const incident: Incident = {
    id: record.id,
    title: text.title,
    description: text.description,
    source: record.source,
    draft: record.draft,
    drill: record.drill,
    ...(record.findingId !== undefined ? { findingId: record.findingId } : {}),
    occurredAt: record.occurredAt,
    discoveredAt: record.discoveredAt,
    awareAt: record.awareAt,
    dataCategories: record.dataCategories,
    systems: record.systems,
    jurisdictions: record.jurisdictions,
    severity: record.severity,
    status: record.status,
    ...(record.assessment ? { assessment: { ...record.assessment, consequences: text.consequences ?? '', cause: text.cause ?? '', advice: text.advice ?? '' } } : {}),
    ...(text.measures !== undefined ? { measures: text.measures } : {}),
    steps: record.steps.map((step) => ({ ...step, action: notes[noteKeys.step(step.id)] ?? '' })),
    history: record.history.map((entry, n) => {
      const reason = notes[noteKeys.history(n)];
      return reason !== undefined ? { ...entry, reason } : { ...entry };
    }),
    ...(text.lessons !== undefined ? { lessons: text.lessons } : {}),
    grade: facts.grade,
    scope: { runs: facts.runs, counts: facts.counts },
    deadlines: facts.deadlines,
    notifications: facts.notifications,
    timings: timingsOf(record, facts.runs, facts.notifications),
    ...(record.handlingEndedAt !== undefined ? { handlingEndedAt: record.handlingEndedAt } : {}),
    ...(record.closedAt !== undefined ? { closedAt: record.closedAt } : {}),
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    version: record.version,
  };
  return incident;
}
