import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createObservability } from '../../functions/http/index.js';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { RESUME_ERASURE_AFTER_MS } from '../../shared/contexts/erasure/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, EventPublisher, KeyService, Store } from '../../shared/platform/ports/index.js';
import type { Overrides } from '../../shared/runtime/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/** DSR-3 under failure: every step of the erasure consumer, retried or dead-lettered, never half done. */
/** A store that fails chosen operations a number of times, then works. */
class FaultyStore implements Store {
  inner!: Store;
  failures = 0;
  when: (writes: Parameters<Store['transact']>[0]) => boolean = () => false;
  get: Store['get'] = (...args) => this.inner.get(...args);
  getMany: Store['getMany'] = (...args) => this.inner.getMany(...args);
  // Wired once the app runs: its start-up check for unfinished erasures finds none before that.
  query: Store['query'] = (...args) => ((this.inner as Store | undefined) ? this.inner.query(...args) : Promise.resolve({ items: [] }));
  increment: Store['increment'] = (...args) => this.inner.increment(...args);
  count: Store['count'] = (...args) => this.inner.count(...args);
  transact: Store['transact'] = (writes) => {
    if (this.failures > 0 && this.when(writes)) {
      this.failures -= 1;
      return Promise.reject(new UnavailableError('store'));
    }
    return this.inner.transact(writes);
  };
}

describe('erasure under faults', () => {
  it.each([
    ['hiding the record', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'put' && (x.item as { erasure?: unknown }).erasure !== undefined)],
    ['deleting items', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'delete' && x.table === 'data')],
    ['destroying the key', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.op === 'delete' && x.table === 'keys')],
    ['certifying', (w: Parameters<Store['transact']>[0]) => w.some((x) => x.label === 'certificate')],
  ])('finishes after retries when %s fails twice', async (_step, when) => {
    const store = new FaultyStore();
    const faulty = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(faulty.client, faulty.prefix);
    try {
      const { customer, request, dpo } = await customerWithHistory(faulty);
      store.when = when;
      store.failures = 2;
      await faulty.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await faulty.queues.erasure.drain();
      expect(store.failures).toBe(0);
      expect(await itemsOf(faulty, customer.id)).toEqual([]);
      expect(faulty.queues.erasure.deadLetters).toEqual([]);
      expect((await faulty.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('completed');
    } finally {
      await faulty.close();
    }
  });

  it('ends in the dead-letter queue with the customer hidden but intact when the key cannot be destroyed', async () => {
    const store = new FaultyStore();
    const faulty = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(faulty.client, faulty.prefix);
    try {
      const { customer, request, dpo } = await customerWithHistory(faulty);
      store.when = (w) => w.some((x) => x.op === 'delete' && x.table === 'keys');
      store.failures = 1000;
      await faulty.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await faulty.queues.erasure.drain();
      expect(faulty.queues.erasure.deadLetters).toHaveLength(1);
      expect(faulty.queues.erasure.deadLetters[0]).not.toMatch(/@|Testname/);
      // Hidden from every reader, but the key is still there: nothing half-destroyed and unflagged.
      expect((await faulty.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
      expect(await faulty.coldKeys().get(customer.id)).toHaveLength(32);
      expect((await faulty.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('in-progress');
    } finally {
      await faulty.close();
    }
  });
});


/** A key service (KMS) that fails a number of calls once armed (`failures` > 0), then works again. */
class FaultyKeys implements KeyService {
  private readonly inner = new LocalKeyService(Buffer.alloc(32, 7));
  failures = 0;
  generateDataKey: KeyService['generateDataKey'] = (context) => this.fault(() => this.inner.generateDataKey(context));
  decryptDataKey: KeyService['decryptDataKey'] = (wrapped, context) => this.fault(() => this.inner.decryptDataKey(wrapped, context));
  deriveMacKey: KeyService['deriveMacKey'] = (label) => this.inner.deriveMacKey(label);
  private fault<T>(call: () => Promise<T>): Promise<T> {
    if (this.failures <= 0) return call();
    this.failures -= 1;
    return Promise.reject(new UnavailableError('key-service'));
  }
}

/**
 * The event rule to the erasure queue, as the local app wires it: bound to the app once it
 * runs. It can hold messages back (`held`) for the test to deliver, or lose the next ones.
 */
class ErasureRoute implements EventPublisher {
  api?: TestApi;
  held?: string[];
  lose = 0;
  async publish(events: DomainEvent[]): Promise<void> {
    for (const event of events.filter((e) => e.type === 'ErasureApproved' || e.type === 'RetentionExpired')) {
      if (this.lose > 0) {
        this.lose -= 1;
        throw new UnavailableError('event-bus');
      }
      const body = JSON.stringify({ source: 'kehu', 'detail-type': event.type, detail: event });
      if (this.held) this.held.push(body);
      else this.api!.queues.erasure.send(body);
    }
  }
}

type Scenario = Awaited<ReturnType<typeof customerWithHistory>> & { api: TestApi; route: ErasureRoute };

/** A local app on the given overrides with a customer awaiting erasure; the app is closed afterwards. */
async function scenario(overrides: Overrides, run: (s: Scenario) => Promise<void>): Promise<void> {
  const route = new ErasureRoute();
  const api = await startTestApi({ overrides: { events: route, ...overrides } });
  try {
    route.api = api;
    await run({ api, route, ...(await customerWithHistory(api)) });
  } finally {
    await api.close();
  }
}

const approve = async ({ api, request, dpo }: Scenario) => {
  const approved = await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
  expect(approved.status).toBe(200);
  expect(approved.body.status).toBe('in-progress');
};
const statusOf = async ({ api, request, dpo }: Scenario) => (await api.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status;
const certificatesOf = async ({ api, request }: Scenario) =>
  (await api.call('GET', '/v1/destruction-certificates?limit=100', { token: await api.token('auditor') })).body.items.filter(
    (c: { requestId?: string }) => c.requestId === request.id,
  );
/** Approves with the message held back, and answers it for the test to deliver. */
const approveHeld = async (s: Scenario) => {
  s.route.held = [];
  await approve(s);
  expect(s.route.held).toHaveLength(1);
  return s.route.held[0]!;
};

/** Erased for good: nothing of the customer left, the key gone, one certificate (audited once), the request closed. */
async function expectErased(s: Scenario) {
  expect(await itemsOf(s.api, s.customer.id)).toEqual([]);
  await expect(s.api.coldKeys().get(s.customer.id)).rejects.toThrow(/data key/);
  expect((await s.api.call('GET', `/v1/customers/${s.customer.id}`, { token: s.dpo })).status).toBe(404);
  expect(await statusOf(s)).toBe('completed');
  expect(await certificatesOf(s)).toHaveLength(1);
  const trail = await s.api.call('GET', `/v1/audit?targetId=${s.customer.id}&limit=100`, { token: await s.api.token('auditor') });
  expect(trail.body.items.filter((e: { action: string }) => e.action === 'customer.erase')).toHaveLength(1);
  expect(s.api.queues.erasure.deadLetters).toEqual([]);
}

describe('erasure when the key service fails', () => {
  it('finishes after retries when the key service fails twice', async () => {
    const keys = new FaultyKeys();
    await scenario({ keyService: keys }, async (s) => {
      const message = await approveHeld(s);
      keys.failures = 2;
      s.api.queues.erasure.send(message);
      await s.api.queues.erasure.drain();
      expect(keys.failures).toBe(0);
      await expectErased(s);
    });
  });

  it('ends in the dead-letter queue with the customer hidden but whole while the key service stays down', async () => {
    const keys = new FaultyKeys();
    await scenario({ keyService: keys }, async (s) => {
      const message = await approveHeld(s);
      keys.failures = Number.POSITIVE_INFINITY;
      s.api.queues.erasure.send(message);
      await s.api.queues.erasure.drain();
      expect(s.api.queues.erasure.deadLetters).toEqual([message]);
      expect(s.api.queues.erasure.deadLetters[0]).not.toMatch(/@|Testname/);
      expect((await s.api.call('GET', `/v1/customers/${s.customer.id}`, { token: s.dpo })).status).toBe(404);
      const kept = (await itemsOf(s.api, s.customer.id)).map((item) => (item.sk as { S?: string } | undefined)?.S ?? `key:${(item.pk as { S: string }).S}`);
      expect(kept).toEqual(expect.arrayContaining(['PROFILE', `key:${s.customer.id}`]));
      expect(await statusOf(s)).toBe('in-progress');
      expect(await certificatesOf(s)).toEqual([]);
      keys.failures = 0;
      expect(await s.api.coldKeys().get(s.customer.id)).toHaveLength(32);
    });
  });
});

describe('erasure when the queue misbehaves', () => {
  it.each([
    ['again after it was consumed', async (api: TestApi, message: string) => {
      api.queues.erasure.send(message);
      await api.queues.erasure.drain();
      api.queues.erasure.send(message);
      await api.queues.erasure.drain();
    }],
    ['twice at once', async (api: TestApi, message: string) => {
      api.queues.erasure.send(message);
      api.queues.erasure.send(message);
      await api.queues.erasure.drain();
    }],
  ])('certifies once when the message is delivered %s', async (_how, deliver) => {
    await scenario({}, async (s) => {
      await deliver(s.api, await approveHeld(s));
      await expectErased(s);
    });
  });

  it('resumes an erasure whose message was lost, from the resume-erasures job once it made no progress for a while', async () => {
    let offset = 0;
    const clock = { now: () => new Date(Date.now() + offset) };
    const lost: DomainEvent[] = [];
    const onPublishFailure = (_error: unknown, events: DomainEvent[]) => void lost.push(...events);
    await scenario({ clock, onPublishFailure }, async (s) => {
      s.route.lose = 1;
      await approve(s);
      await s.api.queues.erasure.drain();
      expect(s.route.lose).toBe(0);
      expect(lost.map((e) => e.type)).toEqual(['ErasureApproved']);
      expect(await statusOf(s)).toBe('in-progress');
      expect((await s.api.call('GET', `/v1/customers/${s.customer.id}`, { token: s.dpo })).status).toBe(200);

      // Not yet: an erasure whose message may still be on its way is left alone.
      const sample = JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
      const job = { Records: [{ ...sample.Records[0]!, body: '{"job":"resume-erasures"}' }] };
      offset = RESUME_ERASURE_AFTER_MS - 60_000;
      expect((await createJobsHandler(s.api.container, await createObservability('jobs'))(job)).batchItemFailures).toEqual([]);
      await s.api.queues.erasure.drain();
      expect(await statusOf(s)).toBe('in-progress');

      offset = RESUME_ERASURE_AFTER_MS + 60_000;
      const result = await createJobsHandler(s.api.container, await createObservability('jobs'))(job);
      expect(result.batchItemFailures).toEqual([]);
      await s.api.queues.erasure.drain();
      await expectErased(s);
    });
  });

  it('dead-letters messages that are not erasure events, after the retries, and changes nothing', async () => {
    await scenario({}, async (s) => {
      const sorted = async () => (await itemsOf(s.api, s.customer.id)).map((item) => JSON.stringify(item)).sort();
      const [before, status] = [await sorted(), await statusOf(s)];
      const poison = [
        'not json {',
        JSON.stringify({ source: 'kehu', 'detail-type': 'CustomerCreated', detail: { type: 'CustomerCreated', id: 'x', at: 'now', detail: { customerId: s.customer.id } } }),
        // Right ids, but a field no erasure event carries: refused, not half-read.
        JSON.stringify({
          source: 'kehu',
          'detail-type': 'ErasureApproved',
          detail: { type: 'ErasureApproved', id: 'x', at: 'now', detail: { requestId: s.request.id, customerId: s.customer.id, email: 'x' } },
        }),
      ];
      poison.forEach((body) => s.api.queues.erasure.send(body));
      await s.api.queues.erasure.drain();
      expect([...s.api.queues.erasure.deadLetters].sort()).toEqual([...poison].sort());
      expect(await sorted()).toEqual(before);
      expect(await statusOf(s)).toBe(status);
      expect((await s.api.call('GET', `/v1/customers/${s.customer.id}`, { token: s.dpo })).status).toBe(200);
    });
  });
});
