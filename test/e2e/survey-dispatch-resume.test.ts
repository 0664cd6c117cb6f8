import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Notifier, OutboundMessage } from '../../shared/platform/ports/index.js';
import { OutboxNotifier } from '../../shared/platform/notify/notifiers.js';
import { DynamoStore } from '../../shared/platform/store/index.js';
import { HangingStore } from '../support/hanging-store.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { outbox } from '../support/self-service.js';

/**
 * SAT-2 across a crash: the dispatch job stops part-way (mid-page, or mid-delivery), the next
 * start on the same data directory finishes it, and no customer gets two invitations.
 */

/** A notifier that writes to the outbox until `sendsBefore` messages went, then never answers again. */
class HangingNotifier implements Notifier {
  inner!: Notifier;
  sendsBefore = Number.POSITIVE_INFINITY;
  private resolveHung!: () => void;
  readonly hung = new Promise<void>((resolve) => (this.resolveHung = resolve));
  send(message: OutboundMessage): Promise<void> {
    if (message.body.includes('token=') && this.sendsBefore-- <= 0) {
      this.resolveHung();
      return new Promise<void>(() => {});
    }
    return this.inner.send(message);
  }
}

const TITLE = { 'zh-CN': '中断后的满意度调查', en: 'Survey across a restart' };
const POPULATION = 20;

const restart = (api: TestApi) => startTestApi({ dataDir: api.dataDir, tablePrefix: api.prefix });
const surveyQueue = (api: TestApi) => api.queues.surveyDispatch;
const queueFolder = (api: TestApi) => join(api.dataDir, 'queues', 'survey-dispatch');

/** A `survey` purpose, consenting customers tagged `tag`, and a published survey; answers their emails and the survey id. */
async function setUp(api: TestApi, tag: string): Promise<{ emails: string[]; surveyId: string }> {
  const [admin, agent, marketer] = [await api.token('admin'), await api.token('agent'), await api.token('marketer')];
  const purpose = await api.call('PUT', '/v1/purposes/survey', {
    token: admin,
    body: { name: 'Surveys', description: 'Satisfaction surveys', noticeVersion: 's1', requiresConsent: true, fields: ['name', 'emails'] },
  });
  expect(purpose.status, JSON.stringify(purpose.body)).toBe(201);
  const emails: string[] = [];
  for (let i = 0; i < POPULATION; i += 1) {
    const body = newCustomer({ tags: [tag] });
    const { body: customer } = await api.call('POST', '/v1/customers', { token: agent, body });
    const given = await api.call('POST', `/v1/customers/${customer.id}/consents`, {
      token: agent,
      body: { purposeId: 'survey', action: 'give', channel: 'online-form', noticeVersion: 's1', evidence: 'form 3' },
    });
    expect(given.status, JSON.stringify(given.body)).toBeLessThan(300);
    emails.push((body.emails as string[])[0]!);
  }
  const created = await api.call('POST', '/v1/surveys', {
    token: marketer,
    body: { title: TITLE, questions: [{ id: 'nps', kind: 'nps', topic: 'experience', required: true, text: { 'zh-CN': '您会推荐我们吗？', en: 'Would you recommend us?' } }] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const published = await api.call('POST', `/v1/surveys/${created.body.id}/transitions`, { token: marketer, headers: { 'if-match': created.headers.get('etag')! }, body: { action: 'publish' } });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  return { emails, surveyId: created.body.id };
}

async function start(api: TestApi, surveyId: string, tag: string): Promise<string> {
  const started = await api.call('POST', `/v1/surveys/${surveyId}/dispatch`, { token: await api.token('marketer'), body: { segment: { tag } } });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return started.body.id as string;
}

const progressOf = async (api: TestApi, surveyId: string, dispatchId: string) =>
  (await api.call('GET', `/v1/surveys/${surveyId}/dispatches/${dispatchId}`, { token: await api.token('marketer') })).body;

const invitedEmails = (api: TestApi) => outbox(api).filter((m) => m.body.includes(TITLE['zh-CN'])).map((m) => m.to).sort();

describe('a survey dispatch cut short by a stopped server', () => {
  it('is finished by the next start, from the page the queue kept, even delivered twice, with one invitation each', async () => {
    const store = new HangingStore((writes) => writes.some((w) => w.op === 'put' && String(w.item.sk).startsWith('SURVEYWAVE#')));
    const first = await startTestApi({ overrides: { store } });
    store.inner = new DynamoStore(first.client, first.prefix);
    const { emails, surveyId } = await setUp(first, 'resume-a');
    store.before = 7;
    const dispatchId = await start(first, surveyId, 'resume-a');
    await store.hung;

    // Mid-page: seven invitations made, none sent yet, the numbers adding up.
    const halfway = await progressOf(first, surveyId, dispatchId);
    expect(halfway.state).not.toBe('done');
    expect(halfway.progress).toMatchObject({ selected: 7, queued: 7, sent: 0, failed: 0 });
    expect(invitedEmails(first)).toEqual([]);
    await first.close();
    // The page message was not acknowledged: it waits on disk. A copy of it stands for SQS delivering it twice.
    const waiting = readdirSync(queueFolder(first)).filter((f) => f.endsWith('.json') && readFileSync(join(queueFolder(first), f), 'utf8').includes('SurveyDispatchPage'));
    expect(waiting).toHaveLength(1);
    copyFileSync(join(queueFolder(first), waiting[0]!), join(queueFolder(first), waiting[0]!.replace(/^(\d+)-/, (_, at: string) => `${String(Number(at) + 1).padStart(15, '0')}-`)));

    const second = await restart(first);
    try {
      await surveyQueue(second).drain();
      expect(surveyQueue(second).deadLetters).toEqual([]);
      expect(invitedEmails(second)).toEqual([...emails].sort());
      const done = await progressOf(second, surveyId, dispatchId);
      expect(done.state).toBe('done');
      expect(done.progress).toMatchObject({ selected: POPULATION, queued: 0, sent: POPULATION, failed: 0 });
      expect(Object.values(done.progress.skipped as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(0);
      expect(readdirSync(queueFolder(second)).filter((f) => f.endsWith('.json'))).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('never sends an invitation it was sending when it stopped a second time: those are counted failed', async () => {
    const notifier = new HangingNotifier();
    const first = await startTestApi({ overrides: { notifier } });
    notifier.inner = new OutboxNotifier(join(first.dataDir, 'outbox'));
    const { emails, surveyId } = await setUp(first, 'resume-b');
    notifier.sendsBefore = 5;
    const dispatchId = await start(first, surveyId, 'resume-b');
    await notifier.hung;
    // The five sent have their state written before the stop (a stop between the send and that write would send one twice: SQS delivers at least once).
    for (let i = 0; i < 200 && (await progressOf(first, surveyId, dispatchId)).progress.sent < 5; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    expect((await progressOf(first, surveyId, dispatchId)).progress.sent).toBe(5);
    await first.close();

    const second = await restart(first);
    try {
      await surveyQueue(second).drain();
      expect(surveyQueue(second).deadLetters).toEqual([]);
      const invited = invitedEmails(second);
      expect(new Set(invited).size).toBe(invited.length);
      expect(emails).toEqual(expect.arrayContaining(invited));
      // The five sent before the stop, and those never claimed, went out once; those interrupted mid-send are failed, not sent again.
      const done = await progressOf(second, surveyId, dispatchId);
      expect(done.state).toBe('done');
      expect(done.progress).toMatchObject({ selected: POPULATION, queued: 0, sent: invited.length });
      expect(done.progress.failed).toBeGreaterThanOrEqual(1);
      expect(done.progress.sent + done.progress.failed).toBe(POPULATION);
      expect(invited.length).toBeGreaterThanOrEqual(5);
    } finally {
      await second.close();
    }
  });
});
