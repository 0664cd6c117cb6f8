import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import * as z from 'zod/mini';
import { referenceOf } from '../../shared/contexts/erasure/index.js';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';
import { parse } from '../http/validation.js';

/** EventBridge delivers the domain event as `detail` of its envelope. Ids only. */
const erasureMessage = z.object({
  detail: z.union([
    z.object({ type: z.literal('ErasureApproved'), detail: z.strictObject({ requestId: z.uuid(), customerId: z.uuid() }) }),
    z.object({ type: z.literal('RetentionExpired'), detail: z.strictObject({ sweepId: z.uuid(), customerId: z.uuid() }) }),
  ]),
});

/** The erasure a queue message names (its reference), or undefined for one that names none. */
export function erasureOfMessage(body: string): string | undefined {
  try {
    const result = erasureMessage.safeParse(JSON.parse(body));
    if (!result.success) return undefined;
    const { customerId, ...cause } = result.data.detail.detail;
    return referenceOf(customerId, cause);
  } catch {
    return undefined;
  }
}

/**
 * The erasure queue's consumer: one approved erasure per message. A failure is reported
 * for that message alone; the queue retries it, and after its last receive it rests in
 * the DLQ (an alarm fires) with the customer hidden but intact.
 */
export function createErasureConsumer({ erasure }: Pick<Container, 'erasure'>, { logger, metrics }: Observability) {
  const record = async (message: SQSRecord) => {
    const { detail } = parse(erasureMessage, JSON.parse(message.body), 'body');
    const { customerId, ...cause } = detail.detail;
    const certificate = await erasure.erase(customerId, cause);
    if (!certificate) {
      logger.info('no erasure: stopped by a legal hold, or its request is closed', { ...cause });
      return;
    }
    metrics.addMetric('Erasures', MetricUnit.Count, 1);
    logger.info('erasure certified', { certificate: certificate.id, reason: certificate.reason });
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
