import type { SQSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { createObservability } from '../../functions/http/index.js';
import { signToken } from '../../local/tokens.js';
import type { Role } from '../../shared/platform/access/index.js';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import type { DomainEvent, EventPublisher } from '../../shared/platform/ports/index.js';
import { customerWithHistory, itemsOf } from '../support/erasure.js';
import { startTestApi, type TestApi } from '../support/local-api.js';

/** DSR-3, DSR-4: what an erasure does to the customer's other requests, and how operators see and move one on. */

/** The event rule to the erasure queue, as the local app wires it, losing the next `lose` erasure messages. */
class ErasureRoute implements EventPublisher {
  api?: TestApi;
  lose = 0;
  async publish(events: DomainEvent[]): Promise<void> {
    for (const event of events.filter((e) => e.type === 'ErasureApproved' || e.type === 'RetentionExpired')) {
      if (this.lose > 0) {
        this.lose -= 1;
        throw new UnavailableError('event-bus');
      }
      this.api!.queues.erasure.send(JSON.stringify({ source: 'kehu', 'detail-type': event.type, detail: event }));
    }
  }
}

async function withApi(run: (api: TestApi, route: ErasureRoute, clock: { offset: number }) => Promise<void>): Promise<void> {
  const clock = { offset: 0 };
  const route = new ErasureRoute();
  const api = await startTestApi({ overrides: { events: route, clock: { now: () => new Date(Date.now() + clock.offset) }, onPublishFailure: () => {} } });
  route.api = api;
  try {
    await run(api, route, clock);
  } finally {
    await api.close();
  }
}

const HOUR = 3_600_000;

describe('an erasure and the customer\'s other requests', () => {
  it('completes every other open request, naming the erasure; by id and by customer they read the same, without the customer\'s words', async () => {
    await withApi(async (api, _route, clock) => {
      const { customer, request, dpo } = await customerWithHistory(api);
      const agent = await api.token('agent');
      const create = async (type: string, details?: string) =>
        (await api.call('POST', '/v1/requests', { token: agent, body: { customerId: customer.id, type, jurisdiction: 'GDPR', channel: 'email', ...(details ? { details } : {}) } })).body;
      const rectify = await create('rectify', 'My name is spelt Zhāng Wěi');
      const access = await create('access');
      await api.call('POST', `/v1/requests/${access.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
      await api.call('POST', `/v1/requests/${access.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      const secondErase = await create('erase');

      await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await api.queues.erasure.drain();
      expect(await itemsOf(api, customer.id)).toEqual([]);

      const listed = await api.call('GET', `/v1/requests?customerId=${customer.id}`, { token: dpo });
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((r: { id: string }) => r.id).sort()).toEqual([request.id, rectify.id, access.id, secondErase.id].sort());
      for (const other of [rectify, access, secondErase]) {
        const byId = (await api.call('GET', `/v1/requests/${other.id}`, { token: dpo })).body;
        expect(byId).toMatchObject({ status: 'completed', outcome: expect.stringContaining(request.id), completedAt: expect.any(String) });
        expect(byId.transitions.at(-1)).toMatchObject({ action: 'complete', actor: 'erasure-worker', role: 'system', reason: expect.stringContaining(request.id) });
        expect(byId.details).toBeUndefined();
        // The list shows the same request as the lookup (the list never carries details).
        expect(listed.body.items.find((r: { id: string }) => r.id === other.id)).toEqual(byId);
      }
      expect((await api.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body).toMatchObject({ status: 'completed', outcome: 'erasure finished' });
      // No deadline runs on for a customer who is gone: months later, nothing of theirs is overdue.
      clock.offset = 90 * 24 * HOUR;
      const overdue = await api.call('GET', '/v1/requests?overdue=true&limit=100', { token: dpo });
      expect(overdue.body.items.filter((r: { customerId: string }) => r.customerId === customer.id)).toEqual([]);
      expect(JSON.stringify(await itemsOf(api, customer.id))).not.toContain('Zhāng');
    });
  });
});

describe('unfinished erasures, for operators', () => {
  it('lists an erasure unfinished an hour on as stuck, counts it for the alarm, and a retry finishes it', async () => {
    await withApi(async (api, route, clock) => {
      const { customer, request, dpo } = await customerWithHistory(api);
      route.lose = 1;
      await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      await api.queues.erasure.drain();
      const list = async (query = '') => (await api.call('GET', `/v1/erasures${query}`, { token: dpo })).body.items;
      expect(await list()).toMatchObject([{ id: request.id, customerId: customer.id, step: 'approved', resumes: 0 }]);
      expect(await list('?state=stuck')).toEqual([]);

      clock.offset = 2 * HOUR;
      expect(await list('?state=stuck')).toMatchObject([{ id: request.id }]);
      // The job hands it on (lost again here).
      route.lose = 1;
      const observability = await createObservability('jobs');
      const sample = JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
      // Its message is lost again: the job fails (the queue retries it), the run stays as it was.
      const job = createJobsHandler(api.container, observability)({ Records: [{ ...sample.Records[0]!, body: '{"job":"resume-erasures"}' }] });
      await expect(job).rejects.toThrow(/failed processing/);
      expect(await list('?state=stuck')).toMatchObject([{ id: request.id, resumes: 0 }]);

      for (const role of ['agent', 'auditor', 'marketer'] as const) {
        expect((await api.call('GET', '/v1/erasures', { token: await api.token(role) })).status).toBe(403);
        expect((await api.call('POST', `/v1/erasures/${request.id}/retries`, { token: await api.token(role) })).status).toBe(403);
      }
      // Nor does a token whose groups name Kehu's own role.
      const system = await signToken(api.tokenSecret, { sub: 'mallory', roles: ['system' as Role] });
      expect((await api.call('POST', `/v1/erasures/${request.id}/retries`, { token: system })).status).toBe(403);
      const retried = await api.call('POST', `/v1/erasures/${request.id}/retries`, { token: dpo });
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ id: request.id, resumes: 1, lastResume: { by: 'user-dpo' } });
      await api.queues.erasure.drain();
      expect(await itemsOf(api, customer.id)).toEqual([]);
      expect((await api.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('completed');
      expect(await list()).toEqual([]);

      const again = await api.call('POST', `/v1/erasures/${request.id}/retries`, { token: dpo });
      expect(again.status).toBe(404);
      expect(again.body.field).toBe('id');
      const trail = await api.call('GET', `/v1/audit?targetId=${customer.id}&limit=100`, { token: await api.token('auditor') });
      // The job's attempt failed to publish and changed nothing; the operator's retry is on record.
      expect(trail.body.items.filter((e: { action: string }) => e.action === 'erasure.resume')).toEqual([expect.objectContaining({ actor: 'user-dpo', role: 'dpo' })]);
    });
  });

  it('counts stuck erasures for the alarm while handing on only those without progress', async () => {
    await withApi(async (api, route, clock) => {
      const { request, dpo } = await customerWithHistory(api);
      route.lose = 1;
      await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
      const observability = await createObservability('jobs');
      const addMetric = vi.spyOn(observability.metrics, 'addMetric');
      const sample = JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
      const run = () => createJobsHandler(api.container, observability)({ Records: [{ ...sample.Records[0]!, body: '{"job":"resume-erasures"}' }] });
      await run();
      expect(addMetric).toHaveBeenCalledWith('ErasuresResumed', 'Count', 0);
      expect(addMetric).toHaveBeenCalledWith('ErasuresStuck', 'Count', 0);
      addMetric.mockClear();
      clock.offset = 2 * HOUR;
      await run();
      await api.queues.erasure.drain();
      expect(addMetric).toHaveBeenCalledWith('ErasuresResumed', 'Count', 1);
      expect(addMetric).toHaveBeenCalledWith('ErasuresStuck', 'Count', 1);
      expect((await api.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.status).toBe('completed');
      const trail = await api.call('GET', `/v1/audit?targetId=${(await api.call('GET', `/v1/requests/${request.id}`, { token: dpo })).body.customerId}&limit=100`, {
        token: await api.token('auditor'),
      });
      expect(trail.body.items.filter((e: { action: string }) => e.action === 'erasure.resume')).toEqual([
        expect.objectContaining({ actor: 'erasure-resume-schedule', role: 'system' }),
      ]);
    });
  });

  it('answers a problem naming the field for a bad id, state or cursor', async () => {
    await withApi(async (api) => {
      const dpo = await api.token('dpo');
      for (const [path, field] of [
        ['/v1/erasures?state=broken', 'state'],
        ['/v1/erasures?cursor=e30', 'cursor'],
        ['/v1/erasures?cursor=9.', 'cursor'],
      ] as const) {
        const answer = await api.call('GET', path, { token: dpo });
        expect(answer.status).toBe(400);
        expect(answer.body.field).toBe(field);
      }
      const retry = await api.call('POST', '/v1/erasures/not-an-id/retries', { token: dpo });
      expect(retry.status).toBe(400);
      expect(retry.body.field).toBe('id');
    });
  });
});
