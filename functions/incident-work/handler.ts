import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** EventBridge delivers the domain event as `detail` of its envelope. Ids only. */
export const incidentWorkMessage = z.object({
  detail: z.union([
    z.object({ type: z.literal('IncidentScopePage'), detail: z.strictObject({ incidentId: z.uuid(), runId: z.uuid() }) }),
    z.object({ type: z.literal('IncidentNotificationPage'), detail: z.strictObject({ incidentId: z.uuid() }) }),
    z.object({ type: z.literal('IncidentNotificationQueued'), detail: z.strictObject({ incidentId: z.uuid(), customerId: z.uuid() }) }),
  ]),
});

/** The queue's last receive before the DLQ: the redrive policy's maxReceiveCount (infra) and the local queue's. */
export const INCIDENT_WORK_MAX_RECEIVES = 5;

/**
 * The incident-work queue's consumer (BR-1, BR-3): runs a scope page or a notification page,
 * or sends one customer's notice. A message that fails (the store or the notifier unavailable)
 * is reported alone; the queue retries it, and after its last receive it rests in the DLQ,
 * whose alarm fires (a notice is counted as failed at that last receive, never sent twice).
 */
export function createIncidentWorkConsumer(
  { incidentScopes, incidentNotifications }: Pick<Container, 'incidentScopes' | 'incidentNotifications'>,
  { logger, metrics }: Observability,
  maxReceives = INCIDENT_WORK_MAX_RECEIVES,
) {
  const record = async (message: SQSRecord) => {
    const { detail } = parse(incidentWorkMessage, JSON.parse(message.body), 'body');
    if (detail.type === 'IncidentScopePage') {
      const result = await incidentScopes.runPage(detail.detail.incidentId, detail.detail.runId);
      if (result.outcome === 'page') metrics.addMetric('IncidentScopePages', MetricUnit.Count, 1);
      logger.info('incident scope page', { incidentId: detail.detail.incidentId, runId: detail.detail.runId, ...result });
      return;
    }
    if (detail.type === 'IncidentNotificationPage') {
      const result = await incidentNotifications.runPage(detail.detail.incidentId);
      if (result.outcome === 'page') metrics.addMetric('IncidentNotificationPages', MetricUnit.Count, 1);
      logger.info('incident notification page', { incidentId: detail.detail.incidentId, ...result });
      return;
    }
    const receive = Number(message.attributes.ApproximateReceiveCount) || 1;
    const ref = { incidentId: detail.detail.incidentId, customerId: detail.detail.customerId };
    try {
      const outcome = await incidentNotifications.deliver(ref, { receive, maxReceives });
      if (outcome === 'sent') metrics.addMetric('IncidentNotificationsSent', MetricUnit.Count, 1);
      if (outcome === 'interrupted') metrics.addMetric('IncidentNotificationsFailed', MetricUnit.Count, 1);
      // The customer id stays out of the log: the incident and the outcome are enough to follow a run.
      logger.info('incident notice', { incidentId: ref.incidentId, outcome });
    } catch (error) {
      if (receive >= maxReceives) metrics.addMetric('IncidentNotificationsFailed', MetricUnit.Count, 1);
      logger.warn('incident notice not sent', { incidentId: ref.incidentId, receive, errorName: (error as Error).name });
      throw error;
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      // A processor per invocation: it holds the batch's state (the local queue runs invocations concurrently).
      // One record after the other: a duplicate of a message in the same batch finds its notice claimed.
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS), { processInParallel: false });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
