import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { complaintCode } from '../../shared/contexts/complaints/policy-schemas.js';
import { escalationTargets, milestoneNames } from '../../shared/contexts/complaints/types.js';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** EventBridge delivers the domain event as `detail` of its envelope. Ids and codes only. */
export const complaintEscalatedMessage = z.object({
  detail: z.object({
    type: z.literal('ComplaintEscalated'),
    detail: z.strictObject({
      complaintId: z.uuid(),
      customerId: z.uuid(),
      level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      target: z.enum(escalationTargets),
      milestone: z.enum(milestoneNames),
      department: z.optional(complaintCode),
    }),
  }),
});

/**
 * The complaint-escalations queue's consumer (CMP-3): tells staff of each escalation once.
 * A message that fails (the notifier or the store unavailable) is reported alone; the queue
 * retries it, and after its last receive it rests in the DLQ, whose alarm fires.
 */
export function createComplaintEscalationConsumer({ complaintAnnouncer }: Pick<Container, 'complaintAnnouncer'>, { logger, metrics }: Observability) {
  const record = async (message: SQSRecord) => {
    const { detail } = parse(complaintEscalatedMessage, JSON.parse(message.body), 'body');
    const result = await complaintAnnouncer.announce(detail.detail);
    const fields = { complaintId: detail.detail.complaintId, level: detail.detail.level, outcome: result.outcome };
    if (result.outcome === 'announced') {
      metrics.addMetric('ComplaintEscalationsAnnounced', MetricUnit.Count, 1);
      logger.info('complaint escalation announced', { ...fields, to: result.to });
    } else if (result.outcome === 'no-contact') {
      metrics.addMetric('ComplaintEscalationsUnaddressed', MetricUnit.Count, 1);
      logger.warn('complaint escalation has no contact to tell: set escalationContacts in the complaint policies', fields);
    } else {
      logger.info('complaint escalation not announced', fields);
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      // A processor per invocation: it holds the batch's state (the local queue runs invocations concurrently).
      // One record after the other: a duplicate of a message in the same batch finds its step announced.
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS), { processInParallel: false });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
