import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** EventBridge delivers the domain event as `detail` of its envelope. Ids only. */
export const surveyDispatchMessage = z.object({
  detail: z.union([
    z.object({ type: z.literal('SurveyDispatchPage'), detail: z.strictObject({ dispatchId: z.uuid(), surveyId: z.string().check(z.minLength(1), z.maxLength(64)) }) }),
    z.object({
      type: z.literal('SurveyInvitationQueued'),
      detail: z.strictObject({ invitationId: z.uuid(), customerId: z.uuid(), surveyId: z.optional(z.string().check(z.maxLength(64))), dispatchId: z.optional(z.uuid()) }),
    }),
  ]),
});

/** The queue's last receive before the DLQ: the redrive policy's maxReceiveCount (infra) and the local queue's. */
export const SURVEY_DISPATCH_MAX_RECEIVES = 5;

/**
 * The survey-dispatch queue's consumer (SAT-2): runs a dispatch page, or sends one queued
 * invitation. A message that fails (the store or the notifier unavailable) is reported alone;
 * the queue retries it, and after its last receive it rests in the DLQ, whose alarm fires
 * (an invitation is counted as failed at that last receive, never sent twice).
 */
export function createSurveyDispatchConsumer(
  { surveyDispatches }: Pick<Container, 'surveyDispatches'>,
  { logger, metrics }: Observability,
  maxReceives = SURVEY_DISPATCH_MAX_RECEIVES,
) {
  const record = async (message: SQSRecord) => {
    const { detail } = parse(surveyDispatchMessage, JSON.parse(message.body), 'body');
    if (detail.type === 'SurveyDispatchPage') {
      const result = await surveyDispatches.runPage(detail.detail.dispatchId);
      if (result.outcome === 'page') metrics.addMetric('SurveyDispatchPages', MetricUnit.Count, 1);
      logger.info('survey dispatch page', { dispatchId: detail.detail.dispatchId, ...result });
      return;
    }
    const receive = Number(message.attributes.ApproximateReceiveCount) || 1;
    const ref = { invitationId: detail.detail.invitationId, customerId: detail.detail.customerId };
    try {
      const outcome = await surveyDispatches.deliver(ref, { receive, maxReceives });
      if (outcome === 'sent') metrics.addMetric('SurveyInvitationsSent', MetricUnit.Count, 1);
      if (outcome === 'interrupted' || outcome === 'no-contact' || outcome === 'erased') metrics.addMetric('SurveyInvitationsFailed', MetricUnit.Count, 1);
      logger.info('survey invitation', { invitationId: ref.invitationId, outcome });
    } catch (error) {
      if (receive >= maxReceives) metrics.addMetric('SurveyInvitationsFailed', MetricUnit.Count, 1);
      logger.warn('survey invitation not sent', { invitationId: ref.invitationId, receive, errorName: (error as Error).name });
      throw error;
    }
  };
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    try {
      // A processor per invocation: it holds the batch's state (the local queue runs invocations concurrently).
      // One record after the other: a duplicate of a message in the same batch finds its invitation claimed.
      return await processPartialResponse(event, record, new BatchProcessor(EventType.SQS), { processInParallel: false });
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
