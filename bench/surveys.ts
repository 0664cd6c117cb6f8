import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localConfig } from '../local/app.js';
import { LocalQueue } from '../local/queue.js';
import { resolveView } from '../shared/contexts/customers/index.js';
import { SURVEY_DISPATCH_PAGE } from '../shared/contexts/surveys/dispatch.js';
import { invitationKey, surveyStatsKey, SURVEY_STATS_SHARDS, counter, withDimensions, type CreateSurveyInput } from '../shared/contexts/surveys/index.js';
import { SurveyLinks } from '../shared/contexts/surveys/links.js';
import { answerCounters } from '../shared/contexts/surveys/stats.js';
import type { InvitationQueuedEvent, Question, SegmentSnapshot } from '../shared/contexts/surveys/types.js';
import type { AuditContext } from '../shared/platform/audit/index.js';
import { LocalKeyService } from '../shared/platform/keys/index.js';
import type { DomainEvent, StoreItem } from '../shared/platform/ports/index.js';
import { DynamoStore, ensureTables } from '../shared/platform/store/index.js';
import { dataTable, physicalTableName } from '../shared/platform/store/tables.js';
import { createContainer, createDynamoClient } from '../shared/runtime/index.js';
import type { BenchEnvironment } from './customer-records.js';
import { CustomerBodies } from './lib/customers.js';
import { runCleanups, runConcurrent, summarize, type Timings } from './lib/measure.js';
import type { Section } from './lib/report.js';
import { renderSurveys, type SurveyBenchFigures } from './lib/survey-report.js';

export interface SurveyBenchSettings {
  /** Eligible customers the survey is dispatched to (`BENCH_SURVEY_DISPATCH_N`). */
  customers: number;
  /** Answers taken in, and raw puts (`BENCH_SURVEY_ANSWER_N`, at most the invitations). */
  answers: number;
  /** Seeding, deliveries and intakes in flight at once. */
  concurrency: number;
  /** Answers the results call is timed over, smaller first; and calls (and raw reads) per size. */
  resultSizes: number[];
  resultCalls: number;
}

const text = (en: string, zh: string) => ({ 'zh-CN': zh, en });
const SURVEY: CreateSurveyInput = {
  title: text('Quarterly service survey', '季度服务满意度调查'),
  questions: [
    { id: 'nps', kind: 'nps', topic: 'experience', text: text('How likely are you to recommend us?', '您向朋友推荐我们的可能性有多大？') },
    { id: 'csat', kind: 'csat', topic: 'service-quality', text: text('How satisfied are you with our service?', '您对我们的服务满意吗？') },
    { id: 'why', kind: 'text', topic: 'service-quality', text: text('Why?', '原因？'), required: false },
  ],
} as CreateSurveyInput;
/** High scores: an answer under the survey's risk thresholds would also open a risk flag, not what the intake measures. */
const ANSWERS = { nps: 9, csat: 5 };
const REGIONS = ['CN-SH', 'CN-BJ', 'CN-GD', 'CN-ZJ'];
const TIERS = ['normal', 'vip'];

const admin: AuditContext = { actor: { id: 'bench', role: 'admin' }, purpose: 'service' };
const marketer: AuditContext = { actor: { id: 'bench-marketer', role: 'marketer' }, purpose: 'survey' };
const analyst: AuditContext = { actor: { id: 'bench-analyst', role: 'analyst' }, purpose: 'survey' };
const respondent: AuditContext = { actor: { id: 'anonymous', role: 'customer' }, purpose: 'survey' };

/**
 * Surveys on one container wired by `createContainer`: a dispatch to every eligible customer
 * (its pages, then every invitation delivered) beside sends of as many messages to the local
 * queue; answer intake beside a raw put of the item it stores; the results call over two
 * populations of answers beside one raw batch read of the counters it reads.
 */
export async function surveysBenchmark(env: BenchEnvironment, settings: SurveyBenchSettings): Promise<Section> {
  const { concurrency } = settings;
  const prefix = `bench${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const dataTableName = physicalTableName(prefix, dataTable);
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const dynamo = createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint });
    cleanups.push(() => dynamo.destroy());
    await ensureTables(dynamo, prefix);
    const store = new DynamoStore(dynamo, prefix);
    const config = localConfig({ dataDir: env.dataDir, dynamodbEndpoint: env.dynamodbEndpoint, tablePrefix: prefix });
    const keyService = LocalKeyService.fromFile(join(env.dataDir, 'master.key'));
    // The queue's work is done in process: events are kept (the queued invitations are read from them), messages counted.
    const events: DomainEvent[] = [];
    let sent = 0;
    const container = createContainer(config, {
      dynamodb: dynamo,
      store,
      keyService,
      events: { publish: async (e) => void events.push(...e) },
      notifier: { send: async () => void (sent += 1) },
    });
    const raw = DynamoDBDocumentClient.from(createDynamoClient({ region: 'local', dynamodbEndpoint: env.dynamodbEndpoint }), { marshallOptions: { removeUndefinedValues: true } });
    cleanups.push(() => raw.destroy());

    // ---- Customers consenting to surveys (not timed) ----
    env.log(`surveys: ${settings.customers} customers consenting to surveys`);
    const seedStarted = performance.now();
    await container.consent.putPurpose('survey', { name: 'Surveys', description: 'Satisfaction surveys', noticeVersion: '2026-01', requiresConsent: true, fields: [] }, undefined, admin);
    const bodies = new CustomerBodies(settings.customers);
    const { view } = resolveView('admin');
    await runConcurrent(settings.customers, concurrency, async () => {
      const { customer } = await container.customers.create(bodies.next(), admin, view);
      await container.consent.record(customer.id, { purposeId: 'survey', action: 'give', channel: 'online-form', noticeVersion: '2026-01' }, admin);
    });
    const seedSeconds = (performance.now() - seedStarted) / 1000;

    const { survey } = await container.surveys.create(SURVEY, marketer);
    await container.surveys.transition(survey.id, { action: 'publish' }, marketer);

    // ---- Dispatch: every page, then every invitation delivered ----
    env.log(`surveys: dispatch to ${settings.customers} customers, pages then deliveries (${concurrency} in flight)`);
    const dispatch = await container.surveyDispatches.start(survey.id, { wave: 'bench' }, marketer);
    let pages = 0;
    const pagesStarted = performance.now();
    for (;;) {
      const page = await container.surveyDispatches.runPage(dispatch.id);
      pages += 1;
      if (page.outcome !== 'page' || page.state === 'done') break;
    }
    const pagesMs = performance.now() - pagesStarted;
    const queued = events.filter((e): e is DomainEvent & InvitationQueuedEvent => e.type === 'SurveyInvitationQueued').map((e) => e.detail);
    if (queued.length !== settings.customers) throw new Error(`The dispatch queued ${queued.length} invitations, not ${settings.customers}.`);
    const delivery = await runConcurrent(queued.length, concurrency, async (i) => {
      const { invitationId, customerId } = queued[i]!;
      await container.surveyDispatches.deliver({ invitationId, customerId }, { receive: 1, maxReceives: 5 });
    });
    if (sent !== queued.length) throw new Error(`The dispatch sent ${sent} invitations, not ${queued.length}.`);

    const queueSends = await localQueueSends(join(env.dataDir, `survey-queue-${prefix}`), queued);

    // ---- Answer intake beside a raw put of the item it stores ----
    const answers = Math.min(settings.answers, queued.length);
    env.log(`surveys: ${answers} answers submitted and ${answers} raw puts, ${concurrency} in flight`);
    const links = new SurveyLinks(container.keys);
    const tokens = await Promise.all(
      queued.slice(0, answers).map(async ({ invitationId, customerId }) => {
        const item = await store.get<StoreItem & { expiresAt: string }>(dataTable.name, invitationKey(customerId, invitationId));
        if (!item) throw new Error(`Invitation ${invitationId} is not stored.`);
        return links.sign({ id: invitationId, surveyId: survey.id, expiresAt: item.expiresAt });
      }),
    );
    const serviceIntake = await runConcurrent(answers, concurrency, async (i) => {
      await container.surveyResponses.respond(survey.id, { token: tokens[i]! }, { answers: ANSWERS, submit: true }, respondent);
    });
    const first = queued[0]!;
    const stored = (await raw.send(new GetCommand({ TableName: dataTableName, Key: invitationKey(first.customerId, first.invitationId) }))).Item;
    if (!stored) throw new Error('The submitted invitation is not stored.');
    const rawIntake = await runConcurrent(answers, concurrency, async () => {
      await raw.send(new PutCommand({ TableName: dataTableName, Item: { ...stored, sk: `SURVEYINV#${randomUUID()}` } }));
    });

    // ---- Results over populations of answers, seeded as their counters ----
    const { survey: counted } = await container.surveys.create(SURVEY, marketer);
    await container.surveys.transition(counted.id, { action: 'publish' }, marketer);
    const questions = (await container.surveys.definition(counted.id))!.questions;
    const results: SurveyBenchFigures['results'] = [];
    for (const size of settings.resultSizes) {
      const wave = `n${size}`;
      env.log(`surveys: results over ${size} answers (counters seeded), ${settings.resultCalls} calls and raw reads`);
      await container.surveys.addWave(counted.id, wave);
      const shards = countersOf(size, questions);
      const keys = shards.map((_, shard) => surveyStatsKey(counted.id, wave, shard));
      await Promise.all(shards.map((counters, shard) => raw.send(new PutCommand({ TableName: dataTableName, Item: { ...keys[shard]!, ...counters } }))));
      const call = async () => {
        const answer = await container.surveyResults.results(counted.id, { wave, by: 'region' }, analyst);
        const total = answer.total as { responses?: number };
        if (total.responses !== size) throw new Error(`The results counted ${String(total.responses)} answers, not ${size}.`);
      };
      const batchGet = async () => {
        const found = await raw.send(new BatchGetCommand({ RequestItems: { [dataTableName]: { Keys: keys } } }));
        if ((found.Responses?.[dataTableName]?.length ?? 0) !== keys.length) throw new Error('The raw batch read missed counter items.');
      };
      await runConcurrent(3, 1, call);
      await runConcurrent(3, 1, batchGet);
      results.push({ answers: size, service: summarize(await runConcurrent(settings.resultCalls, 1, call)), batchGet: summarize(await runConcurrent(settings.resultCalls, 1, batchGet)), statsItems: keys.length });
    }

    return {
      id: 'surveys',
      title: 'Surveys',
      body: renderSurveys({
        customers: settings.customers,
        seedSeconds,
        concurrency,
        pageSize: SURVEY_DISPATCH_PAGE,
        dispatch: { pages, pagesMs, delivered: sent, deliverMs: delivery.wallMs, queueSends: queued.length, queueMs: queueSends.wallMs },
        intake: { service: serviceIntake, raw: rawIntake, itemBytes: Buffer.byteLength(JSON.stringify(stored), 'utf8') },
        results,
      }),
    };
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

/** The floor of the deliveries: as many invitation messages through the local queue stand-in, consumed by a consumer that does nothing. */
async function localQueueSends(folder: string, queued: ReadonlyArray<InvitationQueuedEvent['detail']>): Promise<Pick<Timings, 'wallMs'>> {
  const queue = new LocalQueue({ name: 'survey-dispatch-floor', maxReceives: 5, deadLetterFile: join(folder, 'dead-letters.jsonl'), folder });
  queue.attach(async () => ({ batchItemFailures: [] }));
  const started = performance.now();
  for (const detail of queued) queue.send(JSON.stringify({ 'detail-type': 'SurveyInvitationQueued', detail }));
  await queue.drain();
  return { wallMs: performance.now() - started };
}

/**
 * The counters `size` submitted answers add, spread over the wave's shards as submissions
 * spread (`surveyStatsShardOf`), with as many invitations: what the results call reads.
 */
function countersOf(size: number, questions: readonly Question[]): Array<Record<string, number>> {
  const shards = Array.from({ length: SURVEY_STATS_SHARDS }, (): Record<string, number> => ({}));
  for (let i = 0; i < size; i++) {
    const snapshot = { type: 'individual', region: REGIONS[i % REGIONS.length]!, tier: TIERS[i % TIERS.length]!, stage: 'new' } as SegmentSnapshot;
    const into = shards[i % SURVEY_STATS_SHARDS]!;
    const names = answerCounters({ snapshot }, questions, { nps: i % 11, csat: 1 + (i % 5) });
    for (const name of withDimensions(counter.invited, snapshot)) names[name] = (names[name] ?? 0) + 1;
    for (const [name, value] of Object.entries(names)) into[name] = (into[name] ?? 0) + value;
  }
  return shards;
}
