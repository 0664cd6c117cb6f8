import { createHmac, randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import type { RaiseRiskFlag, RiskFlagWriter } from '../../shared/contexts/risk-flags/index.js';
import type { InvitationItem } from '../../shared/contexts/surveys/invitation-item.js';
import { counter, invitationKey, invitationPointerKey, SURVEY_STATS_SHARDS, surveyStatsKey, surveyStatsShardOf, withDimensions } from '../../shared/contexts/surveys/keys.js';
import type { SurveyLinks } from '../../shared/contexts/surveys/links.js';
import { SurveyResponseService } from '../../shared/contexts/surveys/responses.js';
import { SurveyResultsService, type GroupFigures } from '../../shared/contexts/surveys/results.js';
import { SurveyComments } from '../../shared/contexts/surveys/comments.js';
import type { Invitation, Survey } from '../../shared/contexts/surveys/types.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { StoreItem, Write } from '../../shared/platform/ports/index.js';
import { dataTable } from '../../shared/platform/store/tables.js';
import type { Wiring } from '../../shared/runtime/index.js';
import { customersOf } from '../../shared/runtime/services/customers.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { surveyAnswerRecordsOf, surveyLinksOf } from '../../shared/runtime/services/surveys.js';
import { createWiring } from '../../shared/runtime/wiring.js';
import { freshTables, scanAll, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** Answers through links and the signed-in route: partial, submitted once, counted, sealed, listed by pseudonym. */
const SURVEY = 'survey-int';
const WAVE = '2026-Q2';
const FREE_TEXT = 'Zhuang Qiaolin says the courier Bartholomew was rude';
const DAY_MS = 86_400_000;
const text = (s: string) => ({ 'zh-CN': `${s} (zh)`, en: s });
const survey: Survey = {
  id: SURVEY,
  version: 1,
  status: 'published',
  title: text('Our service'),
  questions: [
    { id: 'nps', kind: 'nps', topic: 'experience', text: text('Recommend us?'), required: true },
    { id: 'csat', kind: 'csat', topic: 'service-quality', text: text('Satisfied?'), required: false },
    { id: 'why', kind: 'text', topic: 'experience', text: text('Why?'), required: false, maxLength: 200 },
  ],
  contactFrequencyDays: 90,
  linkValidDays: 30,
  minGroupSize: 1,
  risk: { npsAtMost: 6, csatAtMost: 2, assignee: 'agent-7' },
  waves: [WAVE],
  publishedVersion: 1,
  createdAt: '2026-04-01T00:00:00.000Z',
  createdBy: 'marketer-1',
  updatedAt: '2026-04-01T00:00:00.000Z',
  updatedBy: 'marketer-1',
  etag: 2,
};
let archived = false;
const definitions = {
  definition: async (id: string, version?: number) =>
    id === SURVEY && (version === undefined || version === 1) ? { ...survey, status: archived ? ('archived' as const) : survey.status } : undefined,
};
/** Records what was raised; its write lands only with the submission's transaction. */
const raised: RaiseRiskFlag[] = [];
const risk: RiskFlagWriter = {
  raiseWrites: (input) => {
    raised.push(input);
    return [{ op: 'put', table: dataTable.name, item: { pk: `TESTRISK#${input.source.kind === 'survey' ? input.source.invitationId : ''}#${input.reason}`, sk: 'RISK', score: input.source.kind === 'survey' ? input.source.score : -1 } }];
  },
};

let w: Wiring;
let raw: { client: DynamoDBClient; prefix: string };
let responses: SurveyResponseService;
let results: SurveyResultsService;
let links: SurveyLinks;
let customerId: string;
const publicContext = { actor: { id: 'anonymous', role: 'customer' as const }, purpose: 'survey' };
const analyst = { actor: { id: 'analyst-1', role: 'analyst' as const }, purpose: 'survey-analysis' };

/** An invitation as the dispatch writes it (with its pointer and `invited` counters), in a given state. */
async function invite(over: Partial<Invitation> = {}, pointerSurvey = SURVEY): Promise<Invitation> {
  const now = Date.now();
  const invitation: Invitation = {
    id: randomUUID(),
    customerId,
    surveyId: SURVEY,
    surveyVersion: 1,
    wave: WAVE,
    dispatchId: 'dispatch-1',
    language: 'en',
    channel: 'email',
    snapshot: { type: 'individual', region: 'CN-SH', tier: 'normal', stage: 'new' },
    state: 'sent',
    attempts: 1,
    queuedAt: new Date(now - DAY_MS).toISOString(),
    sentAt: new Date(now - DAY_MS).toISOString(),
    expiresAt: new Date(now + 29 * DAY_MS).toISOString(),
    version: 3,
    ...over,
  };
  const item: InvitationItem = { ...invitation, ...invitationKey(customerId, invitation.id), kind: 'survey-invitation' };
  const writes: Write[] = [
    { op: 'put', table: dataTable.name, item },
    { op: 'put', table: dataTable.name, item: { ...invitationPointerKey(invitation.id), customerId, surveyId: pointerSurvey } },
    { op: 'add', table: dataTable.name, key: surveyStatsKey(SURVEY, WAVE, surveyStatsShardOf(invitation.id)), counters: Object.fromEntries(withDimensions(counter.invited, invitation.snapshot).map((n) => [n, 1])) },
  ];
  await w.store.transact(writes);
  return invitation;
}

const tokenOf = (invitation: Invitation) => links.sign(invitation);
const stored = (invitation: Invitation) => w.store.get<InvitationItem>(dataTable.name, invitationKey(customerId, invitation.id));
async function waveCounters(): Promise<Record<string, number>> {
  const items = await w.store.getMany<StoreItem>(dataTable.name, Array.from({ length: SURVEY_STATS_SHARDS }, (_, s) => surveyStatsKey(SURVEY, WAVE, s)));
  const sum: Record<string, number> = {};
  for (const item of items) for (const [k, v] of Object.entries(item)) if (typeof v === 'number') sum[k] = (sum[k] ?? 0) + v;
  return sum;
}

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  raw = { client, prefix };
  w = createWiring(testConfig(prefix, endpoint), { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 9)), events: { publish: async () => {} } });
  const { customer } = await customersOf(w).create(newCustomer() as CreateCustomerInput, { actor: { id: 'seed', role: 'admin' }, purpose: 'service' }, resolveView('admin').view);
  customerId = customer.id;
  links = surveyLinksOf(w);
  // As the builder wires it, with a risk-flag writer that records what it is asked to raise.
  responses = new SurveyResponseService({ store: w.store, keys: w.keys, clock: w.clock, audit: w.audit, definitions, risk, links, records: surveyAnswerRecordsOf(w), shards: w.config.indexShards.surveys });
  const records = surveyAnswerRecordsOf(w);
  results = new SurveyResultsService({ store: w.store, audit: w.audit, definitions, comments: new SurveyComments({ store: w.store, keys: w.keys, audit: w.audit, records, definitions, shards: w.config.indexShards.surveys }) });
});

describe('survey answers through a link', () => {
  it('refuses a forged link, an unknown invitation, another survey\'s link and an expired one, changing nothing', async () => {
    const invitation = await invite();
    const token = await tokenOf(invitation);
    const forged = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(responses.respond(SURVEY, { token: forged }, { answers: { nps: 9 } }, publicContext)).rejects.toMatchObject({ kind: 'unauthenticated', field: 'token' });
    await expect(responses.respond(SURVEY, { token: 'not-a-link' }, { answers: { nps: 9 } }, publicContext)).rejects.toMatchObject({ kind: 'unauthenticated', field: 'token' });
    // Validly signed for an invitation that does not exist: the same answer as a forgery.
    const ghost = await links.sign({ id: randomUUID(), surveyId: SURVEY, expiresAt: invitation.expiresAt });
    await expect(responses.form(SURVEY, { token: ghost }, publicContext)).rejects.toMatchObject({ kind: 'unauthenticated', field: 'token' });
    const other = await invite({ surveyId: 'survey-other' }, 'survey-other');
    await expect(responses.respond(SURVEY, { token: await links.sign(other) }, { answers: { nps: 9 } }, publicContext)).rejects.toMatchObject({ kind: 'forbidden', field: 'token' });
    const expired = await invite({ expiresAt: new Date(Date.now() - 1000).toISOString() });
    await expect(responses.respond(SURVEY, { token: await tokenOf(expired) }, { answers: { nps: 9 } }, publicContext)).rejects.toMatchObject({ kind: 'gone', field: 'token' });
    const queued = await invite({ state: 'queued' });
    await expect(responses.respond(SURVEY, { token: await tokenOf(queued) }, { answers: { nps: 9 } }, publicContext)).rejects.toMatchObject({ kind: 'conflict', field: 'token' });
    for (const one of [invitation, expired, queued]) expect((await stored(one))!.version).toBe(3);
  });

  it('saves partially, submits once with counters, flags and audit, then answers 409', async () => {
    const invitation = await invite();
    const token = await tokenOf(invitation);
    const before = await waveCounters();

    const form = await responses.form(SURVEY, { token }, publicContext);
    expect(form).toMatchObject({ invitationId: invitation.id, language: 'en', title: 'Our service', state: 'sent' });
    expect(form.questions.map((q) => [q.id, q.text])).toEqual([['nps', 'Recommend us?'], ['csat', 'Satisfied?'], ['why', 'Why?']]);
    expect(form.questions[0]!.scale).toEqual({ min: 0, max: 10 });

    await expect(responses.respond(SURVEY, { token }, { answers: { nps: 11 } }, publicContext)).rejects.toMatchObject({ kind: 'validation', field: 'answers.nps' });
    await expect(responses.respond(SURVEY, { token }, { answers: { why: 'x'.repeat(201) } }, publicContext)).rejects.toMatchObject({ kind: 'validation', field: 'answers.why' });
    await expect(responses.respond(SURVEY, { token }, { answers: { csat: 2 }, submit: true }, publicContext)).rejects.toMatchObject({ kind: 'validation', field: 'answers.nps' });
    expect((await stored(invitation))!.version).toBe(3);

    const saved = await responses.respond(SURVEY, { token }, { answers: { csat: 2 } }, publicContext);
    expect(saved).toMatchObject({ state: 'sent', answers: { csat: 2 } });
    expect((await stored(invitation))!).toMatchObject({ state: 'sent', version: 4 });
    expect((await responses.form(SURVEY, { token }, publicContext)).answers).toEqual({ csat: 2 });
    // A partial save adds to no aggregate and raises no flag.
    expect(await waveCounters()).toEqual(before);
    expect(raised).toEqual([]);

    const submitted = await responses.respond(SURVEY, { token }, { answers: { nps: 3, why: `  ${FREE_TEXT} ` }, submit: true }, publicContext);
    expect(submitted).toMatchObject({ state: 'answered', answers: { csat: 2, nps: 3, why: FREE_TEXT } });
    const item = (await stored(invitation))!;
    expect(item).toMatchObject({ state: 'answered', version: 5, answeredAt: submitted.answeredAt });
    expect(item.answers).toBeUndefined();
    expect(typeof item.sealedAnswers).toBe('string');

    const after = await waveCounters();
    const added = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v !== 0));
    expect(added).toEqual({
      ...Object.fromEntries(withDimensions('responses', invitation.snapshot).map((n) => [n, 1])),
      ...Object.fromEntries(withDimensions('q:nps#n', invitation.snapshot).map((n) => [n, 1])),
      ...Object.fromEntries(withDimensions('q:nps=3', invitation.snapshot).map((n) => [n, 1])),
      ...Object.fromEntries(withDimensions('q:csat#n', invitation.snapshot).map((n) => [n, 1])),
      ...Object.fromEntries(withDimensions('q:csat=2', invitation.snapshot).map((n) => [n, 1])),
      'text:why': 1,
    });

    expect(raised.map((r) => [r.reason, r.source, r.assignee])).toEqual([
      ['low-nps', { kind: 'survey', surveyId: SURVEY, wave: WAVE, invitationId: invitation.id, questionId: 'nps', score: 3 }, 'agent-7'],
      ['low-csat', { kind: 'survey', surveyId: SURVEY, wave: WAVE, invitationId: invitation.id, questionId: 'csat', score: 2 }, 'agent-7'],
    ]);
    expect(await w.store.get(dataTable.name, { pk: `TESTRISK#${invitation.id}#low-nps`, sk: 'RISK' })).toMatchObject({ score: 3 });

    const audit = await w.audit.list({ target: { type: 'customer', id: customerId } }, {}, { limit: 100 });
    expect(audit.items.filter((e) => e.action === 'survey.answer').map((e) => [e.actor, e.role])).toEqual([[customerId, 'customer']]);

    // Single use: the link is useless now, for answering and for reading.
    await expect(responses.respond(SURVEY, { token }, { answers: { nps: 10 }, submit: true }, publicContext)).rejects.toMatchObject({ kind: 'conflict', field: 'token' });
    await expect(responses.respond(SURVEY, { token }, { answers: { nps: 10 } }, publicContext)).rejects.toMatchObject({ kind: 'conflict', field: 'token' });
    await expect(responses.form(SURVEY, { token }, publicContext)).rejects.toMatchObject({ kind: 'conflict', field: 'token' });
    expect(await waveCounters()).toEqual(after);

    // The results read the same counters.
    const result = await results.results(SURVEY, { wave: WAVE }, analyst);
    const total = result.total as GroupFigures;
    expect(total.responses).toBe(after.responses);
    expect(total.invited).toBe(after.invited);

    // Nothing of the words in plaintext anywhere.
    const everything = JSON.stringify(await scanAll(raw.client, raw.prefix));
    for (const word of ['Zhuang', 'Qiaolin', 'courier', 'Bartholomew', 'rude']) expect(everything).not.toContain(word);
  });

  it('lists free text by pseudonym, not by customer, and audits the read', async () => {
    const page = await results.comments(SURVEY, { wave: WAVE }, analyst);
    const indexKey = await w.keys.indexKey();
    const pseudonymKey = createHmac('sha256', indexKey).update('survey-pseudonym').digest();
    const pseudonym = createHmac('sha256', pseudonymKey).update(`${SURVEY}:${customerId}`).digest('base64url').slice(0, 16);
    expect(page.items).toEqual([{ pseudonym, wave: WAVE, answeredAt: expect.any(String), questionId: 'why', text: FREE_TEXT }]);
    expect(JSON.stringify(page)).not.toContain(customerId);
    expect((await results.comments(SURVEY, { wave: WAVE, question: 'nps' }, analyst)).items).toEqual([]);
    expect((await results.comments(SURVEY, { wave: '2025-Q1' }, analyst)).items).toEqual([]);
    const audit = await w.audit.list({ target: { type: 'customer', id: customerId } }, {}, { limit: 100 });
    expect(audit.items.some((e) => e.action === 'survey.comments' && e.actor === 'analyst-1')).toBe(true);
  });

  it('shows the customer their invitations and answers, and puts them in the access export', async () => {
    const self = { actor: { id: customerId, role: 'customer' as const }, purpose: 'self-service' };
    const mine = await responses.ofCustomer(customerId, self);
    const answered = mine.filter((m) => m.state === 'answered');
    expect(answered).toHaveLength(1);
    expect(answered[0]).toMatchObject({ surveyId: SURVEY, wave: WAVE, title: 'Our service', answers: { nps: 3, csat: 2, why: FREE_TEXT } });
    const document = await requestsOf(w).subjectDocument(customerId, { actor: { id: 'dpo-1', role: 'dpo' }, purpose: 'access-request' });
    expect(document.surveys.length).toBe(mine.length);
    expect(document.surveys).toContainEqual(expect.objectContaining({ surveyId: SURVEY, state: 'answered', answers: { nps: 3, csat: 2, why: FREE_TEXT } }));
  });

  it('answers through the signed-in route for the latest invitation, and refuses once the survey is archived', async () => {
    const self = { actor: { id: customerId, role: 'customer' as const }, purpose: 'self-service' };
    const latest = await invite({ queuedAt: new Date(Date.now() + 1000).toISOString() });
    expect((await responses.form(SURVEY, { customerId }, self)).invitationId).toBe(latest.id);
    expect(await responses.respond(SURVEY, { customerId }, { answers: { nps: 10 } }, self)).toMatchObject({ invitationId: latest.id, state: 'sent' });
    await expect(responses.form('survey-none', { customerId }, self)).rejects.toMatchObject({ kind: 'not-found' });
    archived = true;
    try {
      await expect(responses.respond(SURVEY, { customerId }, { answers: { nps: 10 }, submit: true }, self)).rejects.toMatchObject({ kind: 'gone' });
      expect((await stored(latest))!.state).toBe('sent');
    } finally {
      archived = false;
    }
  });
});
