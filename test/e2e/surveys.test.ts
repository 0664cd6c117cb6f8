import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAll } from '../support/dynamo.js';
import { itemsOf } from '../support/erasure.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { outbox, signIn } from '../support/self-service.js';

/**
 * SAT-1 to SAT-3 end to end: a quarterly survey published and dispatched to a segment of a
 * generated population (some without consent, some objecting or restricted, some invited
 * last month), one invitation per eligible customer, answers through the links, results
 * the test computes itself, a risk flag closed by opening a complaint, and an erasure that
 * takes the answers and leaves the aggregates.
 */
let api: TestApi;
let admin: string;
let marketer: string;
let analyst: string;
let agent: string;
let dpo: string;

interface Person {
  id: string;
  email: string;
  tier: string;
}
/** The population, by what the dispatch should make of each. */
const group: Record<'eligible' | 'noConsent' | 'objected' | 'restricted' | 'recent' | 'noContact' | 'outside', Person[]> = {
  eligible: [],
  noConsent: [],
  objected: [],
  restricted: [],
  recent: [],
  noContact: [],
  outside: [],
};

const QUARTERLY_TITLE = { 'zh-CN': '季度服务满意度调查', en: 'Quarterly satisfaction survey' };
const EARLIER_TITLE = { 'zh-CN': '上月体验回访', en: 'Last month follow-up' };
const option = (id: string, en: string) => ({ id, text: { 'zh-CN': `选项 ${en}`, en } });
const questions = [
  { id: 'nps', kind: 'nps', topic: 'experience', required: true, text: { 'zh-CN': '您有多大可能向朋友推荐我们？', en: 'How likely are you to recommend us?' } },
  { id: 'csat', kind: 'csat', topic: 'service-quality', required: true, text: { 'zh-CN': '您对服务满意吗？', en: 'How satisfied are you with our service?' } },
  { id: 'ces', kind: 'ces', topic: 'experience', required: true, text: { 'zh-CN': '解决问题容易吗？', en: 'How easy was it to get your issue solved?' } },
  { id: 'channel', kind: 'single', topic: 'product-performance', required: false, text: { 'zh-CN': '您常用哪个渠道？', en: 'Which channel do you use most?' }, options: [option('web', 'Web'), option('phone', 'Phone'), option('store', 'Store')] },
  { id: 'comment', kind: 'text', topic: 'product-performance', required: false, maxLength: 500, text: { 'zh-CN': '还有什么想说的？', en: 'Anything else?' } },
];

/** The answers given, one row per responding eligible customer (by index): nps, csat, ces, channel. */
const scores: Array<[number, number, number, string]> = [
  [10, 5, 2, 'web'],
  [9, 4, 3, 'web'],
  [9, 4, 1, 'phone'],
  [10, 5, 4, 'store'],
  [8, 3, 5, 'web'],
  [7, 2, 6, 'phone'],
  [3, 1, 7, 'web'],
  [6, 4, 2, 'web'],
  [9, 5, 3, 'store'],
  [10, 5, 1, 'web'],
  [0, 3, 2, 'phone'],
  // the last three are gold-tier customers (with one more gold one who does not answer)
  [8, 4, 3, 'web'],
  [9, 4, 4, 'web'],
  [5, 2, 5, 'phone'],
];
const NORMAL_ELIGIBLE = 12;
/** The eligible customers (by index) whose language is English. */
const ENGLISH = [2, 3];
const GOLD_ELIGIBLE = 4;

async function createCustomer(overrides: Record<string, unknown>, consent: boolean): Promise<Person> {
  const body = newCustomer(overrides);
  const created = await api.call('POST', '/v1/customers', { token: agent, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  if (consent) {
    const given = await api.call('POST', `/v1/customers/${created.body.id}/consents`, {
      token: agent,
      body: { purposeId: 'survey', action: 'give', channel: 'online-form', noticeVersion: 's1', evidence: 'form 7' },
    });
    expect(given.status, JSON.stringify(given.body)).toBeLessThan(300);
  }
  return { id: created.body.id, email: (body.emails as string[])[0] ?? '', tier: body.tier as string };
}

async function approvedRequest(customerId: string, body: Record<string, unknown>): Promise<void> {
  const created = await api.call('POST', '/v1/requests', { token: agent, body: { customerId, jurisdiction: 'GDPR', channel: 'email', ...body } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await api.call('POST', `/v1/requests/${created.body.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
  const approved = await api.call('POST', `/v1/requests/${created.body.id}/transitions`, { token: dpo, body: { action: 'approve' } });
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
}

// The local stand-in of the dispatch queue (pages and invitations both go through it).
const dispatchQueue = () => api.queues.surveyDispatch;

async function publishedSurvey(body: Record<string, unknown>, key: string): Promise<string> {
  const created = await api.call('POST', '/v1/surveys', { token: marketer, headers: { 'idempotency-key': key }, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body).toMatchObject({ status: 'draft', version: 1 });
  const published = await api.call('POST', `/v1/surveys/${created.body.id}/transitions`, {
    token: marketer,
    headers: { 'if-match': created.headers.get('etag')! },
    body: { action: 'publish' },
  });
  expect(published.status, JSON.stringify(published.body)).toBe(200);
  expect(published.body.status).toBe('published');
  return created.body.id as string;
}

async function dispatch(surveyId: string, body: Record<string, unknown>, key: string) {
  const started = await api.call('POST', `/v1/surveys/${surveyId}/dispatch`, { token: marketer, headers: { 'idempotency-key': key }, body });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.headers.get('location')).toBe(`/v1/surveys/${surveyId}/dispatches/${started.body.id}`);
  await dispatchQueue().drain();
  expect(dispatchQueue().deadLetters).toEqual([]);
  const read = await api.call('GET', `/v1/surveys/${surveyId}/dispatches/${started.body.id}`, { token: marketer });
  expect(read.status).toBe(200);
  return read.body;
}

/** The invitations of one survey in the outbox (told apart by the title, in either language), with the token of each link. */
const invitationsOf = (title: Record<'zh-CN' | 'en', string>) =>
  outbox(api)
    .filter((m) => m.body.includes(title['zh-CN']) || m.body.includes(title.en))
    .map((m) => ({ to: m.to, body: m.body, token: /token=([A-Za-z0-9._~-]+)/.exec(m.body)?.[1] ?? '' }));

const respond = (surveyId: string, body: Record<string, unknown>) => api.call('POST', `/v1/surveys/${surveyId}/responses`, { body });

/** What the test expects of the NPS: the share of promoters minus detractors, and its 95% margin. */
function expectedNps(values: number[]) {
  const n = values.length;
  const promoters = values.filter((v) => v >= 9).length;
  const detractors = values.filter((v) => v <= 6).length;
  const p = promoters / n;
  const d = detractors / n;
  return { promoters, detractors, passives: n - promoters - detractors, score: 100 * (p - d), margin: 1.96 * 100 * Math.sqrt((p + d - (p - d) ** 2) / n) };
}
const near = (actual: unknown, expected: number, within: number) => {
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(within);
};

/** A question's figures in a result group. */
function questionOf(groupResult: Record<string, any>, id: string): Record<string, any> {
  const found = (groupResult.questions as Array<Record<string, any>> | undefined)?.find((q) => q.id === id);
  expect(found, `question ${id} in ${JSON.stringify(groupResult)}`).toBeDefined();
  return found!;
}

let quarterly: string;
let earlier: string;
let dispatched: Record<string, any>;
/** Each eligible customer's invitation token (by customer id). */
const tokens = new Map<string, string>();
let resultsBeforeErasure: unknown;
/** The runtime's clock runs this far off the wall clock (last month's survey). */
let offset = 0;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  api = await startTestApi({ overrides: { clock: { now: () => new Date(Date.now() + offset) } } });
  admin = await api.token('admin', 'admin-8');
  marketer = await api.token('marketer', 'marketer-8');
  analyst = await api.token('analyst', 'analyst-8');
  agent = await api.token('agent', 'agent-8');
  dpo = await api.token('dpo', 'dpo-8');
  const purpose = await api.call('PUT', '/v1/purposes/survey', {
    token: admin,
    body: { name: 'Surveys', description: 'Satisfaction surveys about our service', noticeVersion: 's1', requiresConsent: true, fields: ['name', 'emails', 'phones'] },
  });
  expect(purpose.status, JSON.stringify(purpose.body)).toBe(201);

  const panel = { tags: ['panel'] };
  // Two of them read English: their invitations are in English.
  for (let i = 0; i < NORMAL_ELIGIBLE; i += 1) group.eligible.push(await createCustomer({ ...panel, tier: 'normal', ...(ENGLISH.includes(i) ? { language: 'en' } : {}) }, true));
  for (let i = 0; i < GOLD_ELIGIBLE; i += 1) group.eligible.push(await createCustomer({ ...panel, tier: 'gold' }, true));
  for (let i = 0; i < 2; i += 1) group.noConsent.push(await createCustomer(panel, false));
  const withdrawn = await createCustomer(panel, true);
  await api.call('POST', `/v1/customers/${withdrawn.id}/consents`, { token: agent, body: { purposeId: 'survey', action: 'withdraw', channel: 'phone' } });
  group.noConsent.push(withdrawn);
  for (let i = 0; i < 2; i += 1) {
    const objecting = await createCustomer(panel, true);
    await approvedRequest(objecting.id, { type: 'object', purposes: ['survey'] });
    group.objected.push(objecting);
  }
  const restricted = await createCustomer(panel, true);
  await approvedRequest(restricted.id, { type: 'restrict' });
  group.restricted.push(restricted);
  for (let i = 0; i < 3; i += 1) group.recent.push(await createCustomer({ tags: ['panel', 'early'] }, true));
  group.noContact.push(await createCustomer({ ...panel, emails: [], phones: [] }, true));
  for (let i = 0; i < 4; i += 1) group.outside.push(await createCustomer({ tags: ['wechat'] }, true));

  // Last month's survey reached the `early` customers: the contact limit (90 days) keeps them out of this one.
  earlier = await publishedSurvey({ title: EARLIER_TITLE, questions: [questions[0]] }, 'survey-e2e-earlier');
  offset = -30 * DAY_MS;
  try {
    const first = await dispatch(earlier, { segment: { tag: 'early' } }, 'dispatch-e2e-earlier');
    expect(first.progress).toMatchObject({ selected: group.recent.length, sent: group.recent.length });
  } finally {
    offset = 0;
  }

  quarterly = await publishedSurvey(
    { title: QUARTERLY_TITLE, questions, recurrence: { every: 'quarter', segment: { tag: 'panel' } }, risk: { npsAtMost: 6, csatAtMost: 2, assignee: 'agent-8' } },
    'survey-e2e-quarterly',
  );
  dispatched = await dispatch(quarterly, { segment: { tag: 'panel' } }, 'dispatch-e2e-quarterly');
  for (const invitation of invitationsOf(QUARTERLY_TITLE)) {
    const person = group.eligible.find((p) => p.email === invitation.to);
    if (person) tokens.set(person.id, invitation.token);
  }
}, 240_000);
afterAll(() => api?.close());

describe('a quarterly survey', () => {
  it('refuses to dispatch a draft, and answers a segment that matches nobody with zero selected', async () => {
    const draft = await api.call('POST', '/v1/surveys', { token: marketer, body: { title: EARLIER_TITLE, questions: [questions[0]] } });
    const refused = await api.call('POST', `/v1/surveys/${draft.body.id}/dispatch`, { token: marketer, body: { segment: { tag: 'panel' } } });
    expect(refused.status).toBe(409);
    expect(refused.body.field).toBe('status');
    const before = outbox(api).length;
    const nobody = await dispatch(earlier, { segment: { tag: 'nobody-has-this' }, wave: 'empty-1' }, 'dispatch-e2e-nobody');
    expect(nobody.progress).toMatchObject({ selected: 0, queued: 0, sent: 0, failed: 0 });
    expect(outbox(api).length).toBe(before);
  });

  it('sends exactly one invitation to each eligible customer of the segment, and counts every skip by its reason', async () => {
    const sent = invitationsOf(QUARTERLY_TITLE);
    const expected = group.eligible.map((p) => p.email).sort();
    expect(sent.map((m) => m.to).sort()).toEqual(expected);
    expect(new Set(sent.map((m) => m.token)).size).toBe(sent.length);
    expect(sent.every((m) => /^v1\.[^.]+\.\d+\.[A-Za-z0-9_-]+$/.test(m.token))).toBe(true);
    // In each customer's language: English for those who read it, else Chinese.
    for (const [i, person] of group.eligible.entries()) {
      const message = sent.find((m) => m.to === person.email)!;
      expect(message.body, person.email).toContain(ENGLISH.includes(i) ? QUARTERLY_TITLE.en : QUARTERLY_TITLE['zh-CN']);
      expect(message.body).toContain(`http://127.0.0.1:3000/answer#token=${message.token}`);
    }
    // The earlier survey's first wave went to the recently invited ones only, once each.
    const earlierRecipients = invitationsOf(EARLIER_TITLE).map((m) => m.to);
    expect(earlierRecipients.filter((to) => !group.outside.some((p) => p.email === to)).sort()).toEqual(group.recent.map((p) => p.email).sort());

    const { progress } = dispatched;
    expect(dispatched.state).toBe('done');
    expect(progress.selected).toBe(group.eligible.length);
    expect(progress.queued + progress.sent + progress.failed).toBe(progress.selected);
    expect(progress).toMatchObject({ sent: group.eligible.length, queued: 0, failed: 0 });
    expect(progress.skipped).toEqual({
      'no-consent': group.noConsent.length,
      restricted: group.restricted.length,
      objected: group.objected.length,
      erasure: 0,
      'recently-invited': group.recent.length,
      'already-invited': 0,
      'no-contact': group.noContact.length,
      'not-sampled': 0,
    });
  });

  it('sends a random sample of the eligible ones when asked for one, counting the rest as not sampled', async () => {
    const sampled = await dispatch(earlier, { segment: { tag: 'wechat' }, sampleSize: 2, wave: 'sample-1' }, 'dispatch-e2e-sample');
    expect(sampled).toMatchObject({ state: 'done', eligible: group.outside.length, sampleSize: 2 });
    expect(sampled.progress).toMatchObject({ selected: 2, sent: 2, queued: 0, failed: 0 });
    expect(sampled.progress.skipped['not-sampled']).toBe(group.outside.length - 2);
    const reached = invitationsOf(EARLIER_TITLE).map((m) => m.to).filter((to) => group.outside.some((p) => p.email === to));
    expect(reached).toHaveLength(2);
    expect(new Set(reached).size).toBe(2);
  });

  it('sends no second invitation when the same wave is dispatched again', async () => {
    const before = invitationsOf(QUARTERLY_TITLE).length;
    const again = await dispatch(quarterly, { segment: { tag: 'panel' }, wave: dispatched.wave }, 'dispatch-e2e-again');
    expect(again.progress.selected).toBe(0);
    expect(again.progress.skipped['already-invited']).toBe(group.eligible.length);
    expect(invitationsOf(QUARTERLY_TITLE).length).toBe(before);
  });

  it('takes answers through the links, once each, and refuses bad ones naming the field', async () => {
    expect(tokens.size).toBe(group.eligible.length);
    const firstToken = tokens.get(group.eligible[0]!.id)!;
    // A partial answer first, then the submission.
    const partial = await respond(quarterly, { token: firstToken, answers: { nps: scores[0]![0] } });
    expect(partial.status, JSON.stringify(partial.body)).toBe(200);
    const tooHigh = await respond(quarterly, { token: tokens.get(group.eligible[1]!.id)!, answers: { nps: 11, csat: 4, ces: 3 }, submit: true });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.field).toBe('answers.nps');
    const notOffered = await respond(quarterly, { token: tokens.get(group.eligible[1]!.id)!, answers: { nps: 9, csat: 4, ces: 3, channel: 'fax' }, submit: true });
    expect(notOffered.status).toBe(400);
    expect(notOffered.body.field).toBe('answers.channel');
    const tooLong = await respond(quarterly, { token: tokens.get(group.eligible[1]!.id)!, answers: { comment: 'x'.repeat(501) } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.field).toBe('answers.comment');
    // Past its 30 days, a link is gone.
    offset = 31 * DAY_MS;
    try {
      const late = await respond(quarterly, { token: tokens.get(group.eligible[11]!.id)!, answers: { nps: 9 } });
      expect(late.status).toBe(410);
      expect(late.body.field).toBe('token');
    } finally {
      offset = 0;
    }
    const missing = await respond(quarterly, { token: tokens.get(group.eligible[1]!.id)!, answers: { nps: 9 }, submit: true });
    expect(missing.status).toBe(400);
    expect(missing.body.field).toMatch(/^answers\.(csat|ces)$/);

    const answering = [...group.eligible.slice(0, 11), ...group.eligible.slice(NORMAL_ELIGIBLE, NORMAL_ELIGIBLE + 3)];
    expect(answering).toHaveLength(scores.length);
    for (const [i, person] of answering.entries()) {
      const [nps, csat, ces, channel] = scores[i]!;
      const answers: Record<string, unknown> = { nps, csat, ces, channel, ...(i === 1 ? { comment: 'Marker-comment-7c1e the delivery was quick' } : {}) };
      const answer = await respond(quarterly, { token: tokens.get(person.id)!, answers, submit: true });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }

    const again = await respond(quarterly, { token: firstToken, answers: { nps: 1, csat: 1, ces: 1 }, submit: true });
    expect(again.status).toBe(409);
    expect(again.body.field).toBe('token');
    const [version, invitationId, exp, mac] = firstToken.split('.');
    const flipped = `${mac![0] === 'A' ? 'B' : 'A'}${mac!.slice(1)}`;
    for (const forged of [`${version}.${invitationId}.${exp}.${flipped}`, `${version}.${invitationId}.${Number(exp) + 86_400}.${mac}`, 'v1.00000000-0000-4000-8000-000000000000.1999999999.AAAA', 'not-a-token']) {
      const refused = await respond(quarterly, { token: forged, answers: { nps: 10, csat: 5, ces: 1 }, submit: true });
      expect(refused.status, forged).toBe(401);
      expect(refused.body.field, forged).toBe('token');
    }
    // Answered through another survey's route: the token is not for it.
    const elsewhere = await respond(earlier, { token: tokens.get(group.eligible[11]!.id)!, answers: { nps: 10 }, submit: true });
    expect(elsewhere.status).toBe(403);
    expect((await api.call('GET', `/v1/surveys/${quarterly}/form`, { headers: { 'survey-token': tokens.get(group.eligible[11]!.id)! } })).body).toMatchObject({ state: 'sent' });
  });

  it('reports NPS with its margin, CSAT, CES and distributions as the test computes them, and suppresses small groups', async () => {
    const answered = await api.call('GET', `/v1/surveys/${quarterly}/results?wave=${dispatched.wave}`, { token: analyst });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    const total = answered.body.total;
    expect(total).toMatchObject({ invited: group.eligible.length, responses: scores.length });
    near(total.responseRate, scores.length / group.eligible.length, 0.0001);

    const nps = expectedNps(scores.map((s) => s[0]));
    const npsResult = questionOf(total, 'nps');
    expect(npsResult.n).toBe(scores.length);
    expect(npsResult.nps).toMatchObject({ promoters: nps.promoters, passives: nps.passives, detractors: nps.detractors });
    near(npsResult.nps.score, nps.score, 0.05);
    near(npsResult.nps.marginOfError95, nps.margin, 0.05);
    const npsDistribution = Object.fromEntries(Array.from({ length: 11 }, (_, v) => [String(v), scores.filter((s) => s[0] === v).length]));
    expect(npsResult.distribution).toEqual(npsDistribution);

    const csat = scores.map((s) => s[1]);
    const csatResult = questionOf(total, 'csat');
    near(csatResult.csat, (100 * csat.filter((v) => v >= 4).length) / csat.length, 0.05);
    expect(csatResult.distribution).toEqual(Object.fromEntries([1, 2, 3, 4, 5].map((v) => [String(v), csat.filter((c) => c === v).length])));
    const ces = scores.map((s) => s[2]);
    near(questionOf(total, 'ces').ces, ces.reduce((a, b) => a + b, 0) / ces.length, 0.005);
    expect(questionOf(total, 'comment')).toEqual({ id: 'comment', kind: 'text', n: 1 });
    expect(questionOf(total, 'channel').distribution).toEqual({
      web: scores.filter((s) => s[3] === 'web').length,
      phone: scores.filter((s) => s[3] === 'phone').length,
      store: scores.filter((s) => s[3] === 'store').length,
    });

    // By tier: eleven normal-tier answers are shown, three gold-tier ones are too few to show.
    const byTier = await api.call('GET', `/v1/surveys/${quarterly}/results?by=tier&wave=${dispatched.wave}`, { token: analyst });
    expect(byTier.status).toBe(200);
    const segments = byTier.body.total.segments as Array<Record<string, any>>;
    const gold = segments.find((s) => s.value === 'gold');
    expect(gold).toEqual({ value: 'gold', suppressed: true });
    const normal = segments.find((s) => s.value === 'normal')!;
    expect(normal).toMatchObject({ invited: NORMAL_ELIGIBLE, responses: 11 });
    const normalNps = expectedNps(scores.slice(0, 11).map((s) => s[0]));
    near(questionOf(normal, 'nps').nps.score, normalNps.score, 0.05);
    near(questionOf(normal, 'nps').nps.marginOfError95, normalNps.margin, 0.05);
    // The earlier survey's wave had three answers at most (none here): suppressed as a whole.
    const small = await api.call('GET', `/v1/surveys/${earlier}/results`, { token: analyst });
    expect(small.status).toBe(200);
    expect(small.body.total).toEqual({ suppressed: true });
    resultsBeforeErasure = (await api.call('GET', `/v1/surveys/${quarterly}/results?by=tier&wave=${dispatched.wave}`, { token: analyst })).body;
  });

  it('flags the low scores for follow-up, and an agent closes one by opening a complaint', async () => {
    const lowNps = scores.filter((s) => s[0] <= 6).length;
    const lowCsat = scores.filter((s) => s[1] <= 2).length;
    const listed = await api.call('GET', '/v1/reports/risk?reason=low-nps&status=assigned&limit=100', { token: agent });
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const flags = listed.body.items as Array<Record<string, any>>;
    expect(flags).toHaveLength(lowNps);
    const csatFlags = (await api.call('GET', '/v1/reports/risk?reason=low-csat&status=assigned&limit=100', { token: agent })).body.items;
    expect(csatFlags).toHaveLength(lowCsat);
    const mine = (await api.call('GET', '/v1/reports/risk?assignee=agent-8&status=assigned&limit=100', { token: agent })).body.items;
    expect(mine).toHaveLength(lowNps + lowCsat);

    const lowest = flags.find((f) => f.source.score === 0)!;
    const answeredBy = group.eligible[10]!;
    expect(lowest).toMatchObject({ customerId: answeredBy.id, reason: 'low-nps', status: 'assigned', assignee: 'agent-8', source: { kind: 'survey', surveyId: quarterly, questionId: 'nps', score: 0 } });
    const read = await api.call('GET', `/v1/risk-flags/${lowest.id}`, { token: agent });
    expect(read.status).toBe(200);
    const closed = await api.call('POST', `/v1/risk-flags/${lowest.id}/transitions`, {
      token: agent,
      headers: { 'if-match': read.headers.get('etag')! },
      body: {
        action: 'close',
        outcome: 'complaint-opened',
        note: 'Called back: unhappy with the waiting time',
        complaint: { category: 'service', severity: 'medium', channel: 'phone', subject: 'Waiting time', description: 'Waited too long on the hotline' },
      },
    });
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', outcome: 'complaint-opened', complaintId: expect.any(String), closedBy: 'agent-8' });
    const complaint = await api.call('GET', `/v1/complaints/${closed.body.complaintId}`, { token: agent });
    expect(complaint.status).toBe(200);
    expect(complaint.body).toMatchObject({ customerId: answeredBy.id, subject: 'Waiting time', status: 'received' });
    const still = (await api.call('GET', '/v1/reports/risk?reason=low-nps&status=assigned&limit=100', { token: agent })).body.items;
    expect(still.map((f: { id: string }) => f.id)).not.toContain(lowest.id);
    expect(still).toHaveLength(lowNps - 1);
    const onRecord = await api.call('GET', `/v1/customers/${answeredBy.id}/risk-flags`, { token: agent });
    expect(onRecord.body.items.map((f: { id: string; status: string }) => `${f.id}:${f.status}`)).toContain(`${lowest.id}:closed`);
  });

  it('shows the answers to the customer in self-service and in their access export', async () => {
    const person = group.eligible[4]!;
    const [nps, csat, ces, channel] = scores[4]!;
    const own = await api.call('GET', '/v1/self/surveys', { token: await signIn(api, person.email) });
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(own.body.items).toEqual([
      expect.objectContaining({ surveyId: quarterly, wave: dispatched.wave, state: 'answered', answers: { nps, csat, ces, channel }, title: QUARTERLY_TITLE['zh-CN'] }),
    ]);
    const access = await api.call('POST', '/v1/requests', { token: agent, body: { customerId: person.id, type: 'access', jurisdiction: 'PIPL', channel: 'email' } });
    await api.call('POST', `/v1/requests/${access.body.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
    await api.call('POST', `/v1/requests/${access.body.id}/transitions`, { token: dpo, body: { action: 'approve' } });
    const exported = await api.call('GET', `/v1/requests/${access.body.id}/export`, { token: dpo });
    expect(exported.status).toBe(200);
    expect(exported.body.surveys).toEqual([expect.objectContaining({ surveyId: quarterly, wave: dispatched.wave, state: 'answered', answers: { nps, csat, ces, channel } })]);
  });

  it('keeps no answer in the clear, erases one customer\'s answers with them, and leaves the results unchanged', async () => {
    const raw = JSON.stringify(await scanAll(api.client, api.prefix));
    expect(raw).toContain('SURVEYINV#');
    expect(raw).not.toContain('Marker-comment-7c1e');

    const erased = group.eligible[1]!;
    const token = tokens.get(erased.id)!;
    // The free text is read under a pseudonym, by roles whose purpose allows it.
    const comments = async () => (await api.call('GET', `/v1/surveys/${quarterly}/comments`, { token: analyst })).body.items as Array<Record<string, string>>;
    const before = await comments();
    expect(before).toEqual([{ pseudonym: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/), wave: dispatched.wave, questionId: 'comment', text: 'Marker-comment-7c1e the delivery was quick', answeredAt: expect.any(String) }]);
    expect(JSON.stringify(before)).not.toContain(erased.id);
    expect((await api.call('GET', `/v1/surveys/${quarterly}/comments`, { token: agent })).status).toBe(403);
    const invitationId = token.split('.')[1]!;
    expect((await itemsOf(api, erased.id)).some((item) => String((item.sk as { S?: string }).S).startsWith('SURVEYINV#'))).toBe(true);
    await approvedRequest(erased.id, { type: 'erase', details: 'Delete everything about me' });
    await api.queues.erasure.drain();
    expect(api.queues.erasure.deadLetters).toEqual([]);

    expect(await itemsOf(api, erased.id)).toEqual([]);
    const left = (await scanAll(api.client, api.prefix)).filter((item) => `${(item.pk as { S?: string }).S}|${(item.sk as { S?: string })?.S}`.includes(invitationId));
    expect(left).toEqual([]);
    expect((await respond(quarterly, { token, answers: { nps: 10, csat: 5, ces: 1 }, submit: true })).status).toBe(401);
    expect(await comments()).toEqual([]);
    const after = await api.call('GET', `/v1/surveys/${quarterly}/results?by=tier&wave=${dispatched.wave}`, { token: analyst });
    expect(after.status).toBe(200);
    expect(after.body).toEqual(resultsBeforeErasure);
  });
});

describe('complaints that go badly, and a survey a closed complaint triggers', () => {
  const TRIGGERED_TITLE = { 'zh-CN': '投诉处理回访', en: 'How we handled your complaint' };
  const act = (id: string, body: Record<string, unknown>) => api.call('POST', `/v1/complaints/${id}/transitions`, { token: agent, body });
  async function run(id: string, steps: Array<Record<string, unknown>>): Promise<void> {
    for (const step of steps) {
      const answer = await act(id, step);
      expect(answer.status, `${String(step.action)}: ${JSON.stringify(answer.body)}`).toBe(200);
    }
  }

  it('invites the customer of a closed complaint, and flags a complaint reopened twice or resolved unsatisfied', async () => {
    const triggered = await publishedSurvey({ title: TRIGGERED_TITLE, questions: [questions[1]], trigger: { event: 'complaint.closed' }, contactFrequencyDays: 0 }, 'survey-e2e-triggered');
    const customer = group.outside[3]!;
    const created = await api.call('POST', '/v1/complaints', {
      token: agent,
      body: { customerId: customer.id, channel: 'phone', category: 'delivery', severity: 'medium', subject: 'Parcel late', description: 'Arrived a week late' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const resolve = { action: 'resolve', resolution: 'Refunded the shipping', rootCause: 'delivery-delay' };
    await run(id, [{ action: 'acknowledge' }, { action: 'assign', assignee: 'agent-9' }, { action: 'start' }, resolve, { action: 'follow-up', outcome: 'not-satisfied', rating: 2 }, { action: 'close' }]);
    await dispatchQueue().drain();
    const invited = invitationsOf(TRIGGERED_TITLE);
    expect(invited.map((m) => m.to)).toEqual([customer.email]);
    expect((await api.call('GET', `/v1/surveys/${triggered}`, { token: marketer })).body.waves).toHaveLength(1);

    await run(id, [{ action: 'reopen', reason: 'Still not refunded' }, resolve, { action: 'follow-up', outcome: 'satisfied', rating: 4 }, { action: 'close' }, { action: 'reopen', reason: 'Charged again' }]);
    const flags = (await api.call('GET', `/v1/customers/${customer.id}/risk-flags`, { token: agent })).body.items as Array<Record<string, any>>;
    expect(flags.map((f) => f.reason).sort()).toEqual(['complaint-reopened', 'complaint-unsatisfied']);
    for (const flag of flags) expect(flag).toMatchObject({ status: 'assigned', assignee: 'agent-9', source: { kind: 'complaint', complaintId: id, reference: created.body.reference } });
    const listed = (await api.call('GET', '/v1/reports/risk?reason=complaint-reopened&status=assigned', { token: agent })).body.items;
    expect(listed.map((f: { customerId: string }) => f.customerId)).toEqual([customer.id]);
    // Closed a second time in the same quarter: still one invitation to the triggered survey.
    await run(id, [resolve, { action: 'follow-up', outcome: 'satisfied', rating: 5 }, { action: 'close' }]);
    await dispatchQueue().drain();
    expect(invitationsOf(TRIGGERED_TITLE).map((m) => m.to)).toEqual([customer.email]);
  });
});
