import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import type { DomainEvent, EventPublisher } from '../../shared/platform/ports/index.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { HangingStore } from '../support/hanging-store.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/**
 * DSR-3 across a crash: the server stops in the middle of an erasure, and the next start on
 * the same data directory finishes it, from the queue's own file or from the run it left.
 */

/** Loses every erasure message: the approval is recorded, the worker never hears of it. */
class LosingRoute implements EventPublisher {
  async publish(events: DomainEvent[]): Promise<void> {
    if (events.some((e) => e.type === 'ErasureApproved')) throw new UnavailableError('event-bus');
  }
}

const restart = (api: TestApi) => startTestApi({ dataDir: api.dataDir, tablePrefix: api.prefix });

async function expectFinished(api: TestApi, customerId: string, requestId: string): Promise<void> {
  const dpo = await api.token('dpo');
  expect(await itemsOf(api, customerId)).toEqual([]);
  await expect(api.coldKeys().get(customerId)).rejects.toThrow(/data key/);
  const request = (await api.call('GET', `/v1/requests/${requestId}`, { token: dpo })).body;
  expect(request.status).toBe('completed');
  expect(request.transitions.at(-1)).toMatchObject({ action: 'complete', actor: 'erasure-worker', role: 'system' });
  const certificates = (await api.call('GET', '/v1/destruction-certificates?limit=100', { token: await api.token('auditor') })).body.items;
  expect(certificates.filter((c: { requestId?: string }) => c.requestId === requestId)).toHaveLength(1);
  expect((await api.call('GET', '/v1/erasures', { token: dpo })).body.items).toEqual([]);
  expect(api.queues.erasure.deadLetters).toEqual([]);
}

describe('an erasure cut short by a stopped server', () => {
  it('is finished by the next start on the same data directory, from the message the queue kept', async () => {
    const store = new HangingStore((writes) => writes.some((w) => w.op === 'delete' && String(w.key.pk).startsWith('CUSTOMER#')));
    const first = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(first.client, first.prefix);
    const { customer, request, dpo } = await customerWithHistory(first);
    const agent = await first.token('agent');
    // Enough items for several batches of deletes: the stop comes with some gone and some left.
    for (let i = 0; i < 6; i += 1) {
      await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          first.call('POST', `/v1/customers/${customer.id}/interactions`, {
            token: agent,
            body: { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: `Call ${i * 25 + j}` },
          }),
        ),
      );
    }
    const before = (await itemsOf(first, customer.id)).length;
    store.before = 1;
    expect((await first.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } })).status).toBe(200);
    await store.hung;

    // Mid-erasure: hidden, partly deleted, key in place, request in progress, and listed.
    const left = (await itemsOf(first, customer.id)).length;
    expect(left).toBeGreaterThan(40);
    expect(left).toBeLessThan(before);
    expect((await first.call('GET', `/v1/customers/${customer.id}`, { token: dpo })).status).toBe(404);
    expect(await first.coldKeys().get(customer.id)).toHaveLength(32);
    const unfinished = (await first.call('GET', '/v1/erasures', { token: dpo })).body.items;
    expect(unfinished).toMatchObject([{ id: request.id, customerId: customer.id, cause: { requestId: request.id }, step: 'requests-closed' }]);
    // No one can close it by hand: that would leave the rest of the data for good.
    for (const action of ['complete', 'reject']) {
      const refused = await first.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action, reason: 'done by hand' } });
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(refused.body.field).toBe('action');
    }
    expect((await first.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('in-progress');
    await first.close();
    // The message was not acknowledged: it waits on disk, ids only.
    const waiting = readdirSync(join(first.dataDir, 'queues', 'erasure'));
    expect(waiting).toHaveLength(1);

    const second = await restart(first);
    try {
      await second.queues.erasure.drain();
      await expectFinished(second, customer.id, request.id);
      expect(readdirSync(join(first.dataDir, 'queues', 'erasure'))).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('is resumed at start-up when its message never reached the queue', async () => {
    const first = await startTestApi({ overrides: { events: new LosingRoute() } });
    const { customer, request, dpo } = await customerWithHistory(first);
    const approved = await first.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    expect(approved.body.status).toBe('in-progress');
    await first.queues.erasure.drain();
    expect((await first.call('GET', '/v1/erasures', { token: dpo })).body.items).toMatchObject([{ id: request.id, step: 'approved', resumes: 0 }]);
    await first.close();

    const second = await restart(first);
    try {
      await second.queues.erasure.drain();
      await expectFinished(second, customer.id, request.id);
    } finally {
      await second.close();
    }
  });
});
