import { beforeAll, describe, expect, it } from 'vitest';
import type { CreateSurveyInput, SurveyService } from '../../shared/contexts/surveys/index.js';
import { IdempotencyKeyReusedError } from '../../shared/contexts/customers/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { composeContainer } from '../../shared/runtime/index.js';
import { surveysOf } from '../../shared/runtime/services/surveys.js';
import { freshTables, testConfig } from '../support/dynamo.js';

/** SAT-1 definitions against DynamoDB Local: drafts change, published versions never do, every change locked. */
let surveys: SurveyService;
const marketer = { actor: { id: 'marketer-1', role: 'marketer' as const }, purpose: 'survey' };
const text = (en: string) => ({ 'zh-CN': `${en}（中文）`, en });
const input = (title = 'Quarterly service survey'): CreateSurveyInput => ({
  title: text(title),
  questions: [
    { id: 'recommend', kind: 'nps', topic: 'experience', text: text('Would you recommend us?') },
    { id: 'why', kind: 'text', topic: 'service-quality', text: text('Why?'), required: false },
  ],
});

const rejects = async (promise: Promise<unknown>, type: new (...args: never[]) => Error, field?: string) => {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(type);
  if (field !== undefined) expect((error as { field?: string }).field).toBe(field);
};

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const container = composeContainer(testConfig(prefix, endpoint), { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 8)) }, (w) => ({ surveys: surveysOf(w) }));
  surveys = container.surveys;
});

describe('survey definitions (SAT-1)', () => {
  it('creates a draft with its defaults, once per Idempotency-Key', async () => {
    const { survey, replayed } = await surveys.create(input(), marketer, 'create-1');
    expect(replayed).toBe(false);
    expect(survey).toMatchObject({ version: 1, status: 'draft', etag: 1, waves: [], contactFrequencyDays: 90, linkValidDays: 30, minGroupSize: 5, risk: { npsAtMost: 6, csatAtMost: 2 } });
    expect(survey.questions.map((q) => [q.id, q.required, q.maxLength])).toEqual([['recommend', true, undefined], ['why', false, 2000]]);
    const again = await surveys.create(input(), marketer, 'create-1');
    expect(again).toMatchObject({ replayed: true, survey: { id: survey.id } });
    await rejects(surveys.create(input('Another'), marketer, 'create-1'), IdempotencyKeyReusedError);
    // Nothing is in force until published.
    expect(await surveys.definition(survey.id)).toBeUndefined();
    expect((await surveys.published()).map((s) => s.id)).not.toContain(survey.id);
  });

  it('changes a draft only on the ETag read; two changes on one ETag: one wins, one answers 412', async () => {
    const { survey } = await surveys.create(input(), marketer);
    await rejects(surveys.update(survey.id, { minGroupSize: 3 }, marketer, 7), PreconditionFailedError);
    const changed = await surveys.update(survey.id, { minGroupSize: 3, title: text('Renamed') }, marketer, 1);
    expect(changed).toMatchObject({ etag: 2, version: 1, status: 'draft', minGroupSize: 3, title: text('Renamed') });
    expect(changed.questions).toHaveLength(2);
    const outcomes = await Promise.allSettled([surveys.update(survey.id, { minGroupSize: 4 }, marketer, 2), surveys.update(survey.id, { minGroupSize: 6 }, marketer, 2)]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const failed = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(PreconditionFailedError);
    expect((await surveys.get(survey.id, marketer)).etag).toBe(3);
  });

  it('publishes a draft, then keeps it as it is: a new version is drafted beside it and published in its place', async () => {
    const { survey } = await surveys.create(input('Version one'), marketer);
    await rejects(surveys.newVersion(survey.id, marketer), ConflictError, 'version');
    const published = await surveys.transition(survey.id, { action: 'publish' }, marketer, 1);
    expect(published).toMatchObject({ status: 'published', publishedVersion: 1, version: 1, etag: 2 });
    expect(published.publishedAt).toBeDefined();
    await rejects(surveys.transition(survey.id, { action: 'publish' }, marketer), ConflictError, 'action');
    await rejects(surveys.update(survey.id, { title: text('Changed') }, marketer), ConflictError, 'version');
    expect((await surveys.published()).map((s) => s.id)).toContain(survey.id);

    const draft = await surveys.newVersion(survey.id, marketer, 2);
    expect(draft).toMatchObject({ version: 2, status: 'draft', publishedVersion: 1, title: text('Version one'), etag: 3 });
    await rejects(surveys.newVersion(survey.id, marketer), ConflictError, 'version');
    await surveys.update(survey.id, { title: text('Version two'), questions: [{ id: 'score', kind: 'csat', topic: 'service-quality', text: text('How satisfied?') }] }, marketer, 3);
    // The version in force is unchanged, the draft shown beside it.
    const shown = await surveys.get(survey.id, marketer);
    expect(shown).toMatchObject({ version: 1, status: 'published', title: text('Version one'), draftVersion: 2, etag: 4 });
    expect((await surveys.get(survey.id, marketer, 2)).title).toEqual(text('Version two'));
    expect((await surveys.definition(survey.id))?.questions.map((q) => q.id)).toEqual(['recommend', 'why']);

    await surveys.transition(survey.id, { action: 'publish' }, marketer, 4);
    const current = await surveys.definition(survey.id);
    expect(current).toMatchObject({ version: 2, publishedVersion: 2, status: 'published', title: text('Version two') });
    expect(current?.questions.map((q) => q.id)).toEqual(['score']);
    // Answers to invitations of version 1 are still checked against version 1.
    expect((await surveys.definition(survey.id, 1))?.questions.map((q) => q.id)).toEqual(['recommend', 'why']);
    await rejects(surveys.get(survey.id, marketer, 9), NotFoundError, 'version');
  });

  it('records each wave once without moving the ETag, and archives for good', async () => {
    const { survey } = await surveys.create(input(), marketer);
    await surveys.transition(survey.id, { action: 'publish' }, marketer);
    await Promise.all([surveys.addWave(survey.id, '2026-Q1'), surveys.addWave(survey.id, '2026-Q1'), surveys.addWave(survey.id, '2026-Q2')]);
    const read = await surveys.get(survey.id, marketer);
    expect([...read.waves].sort()).toEqual(['2026-Q1', '2026-Q2']);
    expect(read.etag).toBe(2);

    const archived = await surveys.transition(survey.id, { action: 'archive' }, marketer, 2);
    expect(archived.status).toBe('archived');
    expect((await surveys.definition(survey.id, 1))?.status).toBe('archived');
    expect((await surveys.published()).map((s) => s.id)).not.toContain(survey.id);
    await rejects(surveys.transition(survey.id, { action: 'publish' }, marketer), ConflictError, 'action');
    await rejects(surveys.newVersion(survey.id, marketer), ConflictError, 'status');
    await rejects(surveys.get('00000000-0000-4000-8000-000000000000', marketer), NotFoundError, 'id');
  });

  it('lists surveys newest first, by status', async () => {
    const page = await surveys.list({ status: 'archived', limit: 100 }, marketer);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((s) => s.status === 'archived')).toBe(true);
    const all = await surveys.list({ limit: 100 }, marketer);
    const created = all.items.map((s) => s.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    expect(all.items.some((s) => s.status === 'draft') && all.items.some((s) => s.status === 'published')).toBe(true);
  });
});
