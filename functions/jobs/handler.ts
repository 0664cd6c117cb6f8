import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** A scheduled job, as the schedule puts it on the jobs queue. Ids and names only. */
export const jobMessage = z.strictObject({ job: z.enum(['review-reminders', 'request-deadlines']) });
export type JobMessage = z.infer<typeof jobMessage>;

/**
 * The jobs queue consumer: runs each scheduled job; a message that fails is reported
 * back alone (partial batch failure) and, after its retries, lands in the DLQ.
 */
export function createJobsHandler({ customers, requests }: Container, { logger, metrics }: Observability) {
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
  };
  const processor = new BatchProcessor(EventType.SQS);
  const record = async (message: SQSRecord) => {
    const { job } = parse(jobMessage, JSON.parse(message.body), 'body');
    await jobs[job]();
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      return await processPartialResponse(event, record, processor);
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
