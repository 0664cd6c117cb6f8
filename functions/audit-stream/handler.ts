import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { auditEntryOfItem, type AuditEntry } from '../../shared/platform/audit/index.js';
import type { Container } from '../../shared/runtime/index.js';
import type { Observability } from '../http/index.js';

type StreamImage = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const REQUIRED = ['at', 'actor', 'role', 'action', 'targetType', 'targetId'] as const;

/** An audit entry from a stream record's new image, as the repository reads the stored item; undefined if it is not one. */
export function auditEntryOfImage(image: StreamImage): AuditEntry | undefined {
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (typeof item.pk !== 'string' || !item.pk.startsWith('CHAIN#')) return undefined;
  if (REQUIRED.some((name) => typeof item[name] !== 'string')) return undefined;
  return auditEntryOfItem(item);
}

const isInsert = (record: DynamoDBRecord) => record.eventName === 'INSERT' && record.dynamodb?.NewImage !== undefined;

/**
 * The audit table's stream consumer (SEC-6): each batch of new entries goes to the access
 * detector whole, which counts it per subject-hour. A batch that fails is reported from its
 * first record, so the stream hands it again (and after its retries, to the DLQ); no finding
 * is lost; a batch handed again (split in halves, up to the mapping's 5 retries) is counted
 * again each time, which errs towards a finding, never away from one. Logs carry finding ids and rules only.
 */
export function createAuditStreamConsumer({ accessDetector }: Pick<Container, 'accessDetector'>, { logger, metrics }: Observability) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records ?? [];
    try {
      const entries: AuditEntry[] = [];
      for (const record of records) {
        if (!isInsert(record)) continue;
        const entry = auditEntryOfImage(record.dynamodb!.NewImage!);
        if (entry) entries.push(entry);
      }
      if (!entries.length) return { batchItemFailures: [] };
      const result = await accessDetector.observe(entries);
      const high = result.findings.filter((f) => f.level === 'high').length;
      metrics.addMetric('AuditEntriesObserved', MetricUnit.Count, result.observed);
      metrics.addMetric('SecurityFindings', MetricUnit.Count, result.findings.length);
      metrics.addMetric('SecurityFindingsHigh', MetricUnit.Count, high);
      for (const finding of result.findings) {
        logger.warn('security finding', { findingId: finding.id, rule: finding.rule, findingLevel: finding.level, hour: finding.hour, observed: finding.observed, incidentId: finding.incidentId });
      }
      return { batchItemFailures: [] };
    } catch (error) {
      const first = records[0]?.dynamodb?.SequenceNumber;
      logger.error('audit stream batch failed', { records: records.length, errorName: (error as Error).name });
      return { batchItemFailures: first ? [{ itemIdentifier: first }] : [] };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
