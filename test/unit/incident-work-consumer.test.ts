import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { createIncidentWorkConsumer } from '../../functions/incident-work/handler.js';
import { createObservability } from '../../functions/http/index.js';
import type { Container } from '../../shared/runtime/index.js';

/** The incident-work queue: each message to its job, failures reported alone, notices counted. */
const sample = () => JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
const sqs = (...messages: Array<{ body: string; receive?: number }>): SQSEvent => {
  const template = sample().Records[0]!;
  return {
    Records: messages.map(({ body, receive }, i) => ({ ...template, messageId: `m-${i}`, body, attributes: { ...template.attributes, ApproximateReceiveCount: String(receive ?? 1) } })),
  };
};
const envelope = (type: string, detail: Record<string, string>) => JSON.stringify({ source: 'kehu', 'detail-type': type, detail: { type, id: randomUUID(), at: new Date().toISOString(), detail } });

function services(deliver: (ref: { incidentId: string; customerId: string }, d: { receive: number; maxReceives: number }) => Promise<string>) {
  const calls: string[] = [];
  const container = {
    incidentScopes: { runPage: async (incidentId: string, runId: string) => (calls.push(`scope:${incidentId}:${runId}`), { outcome: 'page' as const, added: 1 }) },
    incidentNotifications: {
      runPage: async (incidentId: string) => (calls.push(`page:${incidentId}`), { outcome: 'page' as const, queued: 3 }),
      deliver: async (ref: { incidentId: string; customerId: string }, d: { receive: number; maxReceives: number }) => (calls.push(`notice:${ref.customerId}:${d.receive}/${d.maxReceives}`), deliver(ref, d)),
    },
  } as unknown as Pick<Container, 'incidentScopes' | 'incidentNotifications'>;
  return { container, calls };
}

describe('the incident-work consumer', () => {
  it('runs scope and notification pages and sends notices, counting sent and failed ones', async () => {
    const observability = await createObservability('test');
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    const [incidentId, runId, sent, interrupted] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const { container, calls } = services(async (ref) => (ref.customerId === sent ? 'sent' : 'interrupted'));
    const result = await createIncidentWorkConsumer(container, observability, 5)(
      sqs(
        { body: envelope('IncidentScopePage', { incidentId, runId }) },
        { body: envelope('IncidentNotificationPage', { incidentId }) },
        { body: envelope('IncidentNotificationQueued', { incidentId, customerId: sent }), receive: 2 },
        { body: envelope('IncidentNotificationQueued', { incidentId, customerId: interrupted }) },
      ),
    );
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toEqual([`scope:${incidentId}:${runId}`, `page:${incidentId}`, `notice:${sent}:2/5`, `notice:${interrupted}:1/5`]);
    const names = addMetric.mock.calls.map(([name]) => name);
    expect(names.filter((n) => n === 'IncidentNotificationsSent')).toHaveLength(1);
    expect(names.filter((n) => n === 'IncidentNotificationsFailed')).toHaveLength(1);
  });

  it('reports a failing notice and a malformed message alone, and counts a failure at the last receive', async () => {
    const observability = await createObservability('test');
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    const incidentId = randomUUID();
    const { container } = services(async () => Promise.reject(new Error('mail down')));
    const event = sqs(
      { body: envelope('IncidentNotificationPage', { incidentId }) },
      { body: envelope('IncidentNotificationQueued', { incidentId, customerId: randomUUID() }), receive: 1 },
      { body: envelope('IncidentNotificationQueued', { incidentId, customerId: randomUUID() }), receive: 5 },
      // Personal data in a message is refused: ids only.
      { body: envelope('IncidentNotificationQueued', { incidentId, customerId: randomUUID(), email: 'a@example.com' }) },
    );
    const result = await createIncidentWorkConsumer(container, observability, 5)(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(addMetric.mock.calls.filter(([name]) => name === 'IncidentNotificationsFailed')).toHaveLength(1);
  });
});
