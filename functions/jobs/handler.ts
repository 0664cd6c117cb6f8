import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { RESUME_ERASURE_AFTER_MS } from '../../shared/contexts/erasure/index.js';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** A scheduled job, as the schedule puts it on the jobs queue. Ids and names only. */
export const jobMessage = z.strictObject({ job: z.enum(['review-reminders', 'request-deadlines', 'retention-sweep', 'resume-erasures', 'audit-checkpoint', 'complaint-deadlines', 'survey-waves', 'risk-flags', 'incident-deadlines']) });
export type JobMessage = z.infer<typeof jobMessage>;

/** A dispatch without progress for this long is handed on again by the survey-waves job. */
export const SURVEY_DISPATCH_STALLED_MS = 15 * 60 * 1000;
const DEFAULT_RISK_FLAG_HANDLE_HOURS = 48;
/** A scope run of an incident without progress for this long is handed on again. */
export const INCIDENT_SCOPE_STALLED_MS = 15 * 60 * 1000;
/**
 * A notification run, or a notice still queued, without progress for this long is announced
 * again. Generous: a long backlog in the queue is not a stall, and the claims make a
 * duplicate announcement harmless, never a second message.
 */
export const INCIDENT_NOTICE_STALLED_MS = 60 * 60 * 1000;

/**
 * The jobs queue consumer: runs each scheduled job; a message that fails is reported
 * back alone (partial batch failure) and, after its retries, lands in the DLQ.
 */
export function createJobsHandler(
  {
    customers,
    requests,
    retention,
    erasures,
    audit,
    complaintDeadlines,
    surveyDispatches,
    riskFlags,
    incidentDeadlines,
    incidentScopes,
    incidentNotifications,
  }: Pick<
    Container,
    'customers' | 'requests' | 'retention' | 'erasures' | 'audit' | 'complaintDeadlines' | 'surveyDispatches' | 'riskFlags' | 'incidentDeadlines' | 'incidentScopes' | 'incidentNotifications'
  >,
  { logger, metrics }: Observability,
  options: { riskFlagHandleHours?: number } = {},
) {
  const jobs: Record<JobMessage['job'], () => Promise<void>> = {
    'review-reminders': async () => {
      const due = await customers.countDueForReview();
      metrics.addMetric('CustomersDueForReview', MetricUnit.Count, due);
      logger.info('review reminders', { due });
    },
    // DSR-4: an alarm fires on requests due within days, before their deadline passes.
    'request-deadlines': async () => {
      const { overdue, dueSoon } = await requests.deadlines();
      metrics.addMetric('RequestsOverdue', MetricUnit.Count, overdue);
      metrics.addMetric('RequestsDueSoon', MetricUnit.Count, dueSoon);
      logger.info('request deadlines', { overdue, dueSoon });
    },
    // DSR-3: erasures without progress for a while are handed on again; those unfinished an
    // hour after they started are counted for the ErasuresStuck alarm.
    'resume-erasures': async () => {
      const result = await erasures.resume({ stalledForMs: RESUME_ERASURE_AFTER_MS }, { actor: { id: 'erasure-resume-schedule', role: 'system' }, purpose: 'erasure' });
      metrics.addMetric('ErasuresResumed', MetricUnit.Count, result.resumed);
      metrics.addMetric('ErasuresStuck', MetricUnit.Count, result.stuck);
      logger.info('erasures resumed', { ...result });
    },
    // SEC-4: every chain's head anchored where the application cannot rewrite it, so that
    // verification sees entries cut from the end of a chain. A failure is retried, then
    // lands in the DLQ; the AuditCheckpointStale alarm fires when no run succeeds for an hour.
    'audit-checkpoint': async () => {
      const result = await audit.checkpoint();
      metrics.addMetric('AuditCheckpointRuns', MetricUnit.Count, 1);
      logger.info('audit checkpoint', { ...result });
    },
    // CMP-3: missed complaint deadlines recorded and escalated (each level once), every few
    // minutes; alarms fire on overdue complaints. A complaint that could not be handled stays
    // due: the run fails after counting, so the queue retries it and a lasting fault reaches the DLQ.
    'complaint-deadlines': async () => {
      const result = await complaintDeadlines.run({ actor: { id: 'complaint-deadline-schedule', role: 'system' }, purpose: 'complaint-handling' });
      metrics.addMetric('ComplaintsOverdue', MetricUnit.Count, result.overdue);
      metrics.addMetric('ComplaintsDueSoon', MetricUnit.Count, result.dueSoon);
      metrics.addMetric('ComplaintEscalations', MetricUnit.Count, result.escalated);
      logger.info('complaint deadlines', { ...result });
      if (result.failed) throw new Error(`Deadlines of ${result.failed} complaints could not be applied (${result.failure}); the next run takes them again.`);
    },
    // SAT-1: each quarterly survey's wave started once per quarter; dispatches without progress
    // for a while (a crash, a lost message) handed on again.
    'survey-waves': async () => {
      const { started } = await surveyDispatches.startDueWaves({ actor: { id: 'survey-wave-schedule', role: 'system' }, purpose: 'survey' });
      const { resumed } = await surveyDispatches.resumeStalled(SURVEY_DISPATCH_STALLED_MS);
      metrics.addMetric('SurveyDispatchesResumed', MetricUnit.Count, resumed);
      logger.info('survey waves', { started, resumed });
    },
    // SAT-3: flags left open past the handling limit are counted for the RiskFlagsUnhandled alarm.
    'risk-flags': async () => {
      const hours = options.riskFlagHandleHours ?? DEFAULT_RISK_FLAG_HANDLE_HOURS;
      const unhandled = await riskFlags.countUnhandled(hours);
      metrics.addMetric('RiskFlagsUnhandled', MetricUnit.Count, unhandled);
      logger.info('risk flags', { unhandled, hours });
    },
    // BR-2: every legal deadline of every unclosed incident measured; each configured fraction
    // of its time announced once on the bus, and gauged for the IncidentDeadlineAtRisk and
    // IncidentDeadlinePassed alarms. Scope and notification runs without progress handed on again.
    'incident-deadlines': async () => {
      const result = await incidentDeadlines.run();
      metrics.addMetric('IncidentDeadlineAlerts', MetricUnit.Count, result.alerts);
      metrics.addMetric('IncidentDeadlinesPast', MetricUnit.Count, result.past);
      for (const [fraction, count] of Object.entries(result.byFraction)) {
        const single = metrics.singleMetric();
        single.addDimension('Fraction', fraction);
        single.addMetric('IncidentDeadlinesElapsed', MetricUnit.Count, count);
      }
      const scopes = await incidentScopes.resumeStalled(INCIDENT_SCOPE_STALLED_MS);
      const notices = await incidentNotifications.resumeStalled(INCIDENT_NOTICE_STALLED_MS);
      logger.info('incident deadlines', { ...result, byFraction: JSON.stringify(result.byFraction), scopesResumed: scopes.resumed, notificationsResumed: notices.resumed });
    },
    // RET-2: the daily sweep, as POST /v1/retention/sweeps runs it on demand.
    'retention-sweep': async () => {
      const result = await retention.sweep({ actor: { id: 'retention-schedule', role: 'system' }, purpose: 'retention' });
      metrics.addMetric('InteractionsExpired', MetricUnit.Count, result.interactionsDestroyed);
      metrics.addMetric('CustomersExpired', MetricUnit.Count, result.customersQueued);
      logger.info('retention sweep', { ...result });
    },
  };
  const record = async (message: SQSRecord) => {
    const { job } = parse(jobMessage, JSON.parse(message.body), 'body');
    await jobs[job]();
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      // A processor per invocation: it holds the batch's state (the local queue runs invocations concurrently).
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS));
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
