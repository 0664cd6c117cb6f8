import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { createObservability } from '../../functions/http/index.js';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** The scheduled-jobs consumer, fed the sample SQS event, on DynamoDB Local. */
const sample = () => JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
let container: Container;
let later: Container;
const actor = { id: 'seed', role: 'admin' as const };

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  const keyService = new LocalKeyService(Buffer.alloc(32, 5));
  container = createContainer(config, { dynamodb: client, keyService });
  // The same data seen 200 days on: every record is due for review by then.
  later = createContainer(config, { dynamodb: client, keyService, clock: { now: () => new Date(Date.now() + 200 * 86_400_000) } });
  for (const tier of ['vip', 'vip', 'normal']) {
    await container.customers.create(newCustomer({ tier }) as CreateCustomerInput, { actor, purpose: 'service' }, resolveView('admin').view);
  }
});

describe('request deadlines job', () => {
  it('counts open requests due soon and overdue, for the alarms', async () => {
    const [customer] = (await container.customers.list({ limit: 1 }, { actor, purpose: 'seed' }, resolveView('admin').view)).items;
    await container.requests.create({ customerId: customer!.id, type: 'access', jurisdiction: 'PIPL', channel: 'email' }, { actor, purpose: 'seed' });
    const job = (c: Container) => createJobsHandler(c, observability)({ ...sample(), Records: [{ ...sample().Records[0]!, body: '{"job":"request-deadlines"}' }] });
    const observability = await createObservability('jobs');
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    await job(container);
    expect(addMetric).toHaveBeenCalledWith('RequestsOverdue', 'Count', 0);
    expect(addMetric).toHaveBeenCalledWith('RequestsDueSoon', 'Count', 0);
    addMetric.mockClear();
    await job(later); // 200 days on: past the deadline
    expect(addMetric).toHaveBeenCalledWith('RequestsOverdue', 'Count', 1);
  });
});

describe('jobs consumer', () => {
  it('counts the records due for review and publishes the figure', async () => {
    const observability = (await createObservability('jobs'));
    const addMetric = vi.spyOn(observability.metrics, 'addMetric');
    const result = await createJobsHandler(later, observability)(sample());
    expect(result.batchItemFailures).toEqual([]);
    expect(addMetric).toHaveBeenCalledWith('CustomersDueForReview', 'Count', 3);

    const now = (await createObservability('jobs'));
    const nowMetric = vi.spyOn(now.metrics, 'addMetric');
    await createJobsHandler(container, now)(sample());
    expect(nowMetric).toHaveBeenCalledWith('CustomersDueForReview', 'Count', 0);
  });

  it('reports only the failing message of a batch, for the queue to retry and dead-letter', async () => {
    const event = sample();
    const good = event.Records[0]!;
    event.Records.push(
      { ...good, messageId: 'bad-json', body: '{"job":' },
      { ...good, messageId: 'unknown-job', body: '{"job":"erase-everything"}' },
    );
    const result = await createJobsHandler(container, (await createObservability('jobs')))(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['bad-json', 'unknown-job']);
  });
});
