import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** A scheduled job, as the schedule puts it on the jobs queue. Ids and names only. */
export const jobMessage = z.strictObject({ job: z.enum(['review-reminders', 'request-deadlines', 'retention-sweep']) });
export type JobMessage = z.infer<typeof jobMessage>;

/**
 * The jobs queue consumer: runs each scheduled job; a message that fails is reported
 * back alone (partial batch failure) and, after its retries, lands in the DLQ.
 */
export function createJobsHandler({ customers, requests, retention }: Container, { logger, metrics }: Observability) {
  const jobs: Record<JobMessage['job'], () => Promise<void>> = {
    'review-reminders': async () => {
      const due = await customers.countDueForReview();
      metrics.addMetric('CustomersDueForReview', MetricUnit.Count, due);
      logger.info('review reminders', { due });
    },
    // DSR-4: an alarm fires on requests due within days, before their deadline passes; erasures
    // whose message was lost are handed on again.
    'request-deadlines': async () => {
      const { overdue, dueSoon } = await requests.deadlines();
      const resumed = await requests.resumeErasures();
      metrics.addMetric('RequestsOverdue', MetricUnit.Count, overdue);
      metrics.addMetric('RequestsDueSoon', MetricUnit.Count, dueSoon);
      metrics.addMetric('ErasuresResumed', MetricUnit.Count, resumed);
      logger.info('request deadlines', { overdue, dueSoon, resumed });
    },
    // RET-2: the daily sweep, as POST /v1/retention/sweeps runs it on demand.
    'retention-sweep': async () => {
      const result = await retention.sweep({ actor: { id: 'retention-schedule', role: 'dpo' }, purpose: 'retention' });
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
