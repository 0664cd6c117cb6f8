import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ComplaintRepository } from '../../shared/contexts/complaints/index.js';
import { CustomerRepository, resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { DispatchRepository } from '../../shared/contexts/surveys/dispatch-repository.js';
import { SurveyDispatchService } from '../../shared/contexts/surveys/dispatch.js';
import { lastInvitationKey } from '../../shared/contexts/surveys/keys.js';
import type { Dispatch, Survey } from '../../shared/contexts/surveys/types.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, OutboundMessage, Store, StoreItem, Write } from '../../shared/platform/ports/index.js';
import { dataTable, DynamoStore } from '../../shared/platform/store/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** SAT-2: a dispatch paged over a small population, skips counted by reason, invitations sent once. */
const T = dataTable.name;
const DAY = 86_400_000;
const admin = { actor: { id: 'seed', role: 'admin' as const }, purpose: 'service' };
const marketer = { actor: { id: 'marketer-1', role: 'marketer' as const }, purpose: 'survey' };
let app: Container;
let store: Store;
let service: SurveyDispatchService;
let repository: DispatchRepository;
const events: DomainEvent[] = [];
const sent: OutboundMessage[] = [];
let sendAttempts = 0;
let failSends = false;
/** Fails the next write of a dispatch (a crash between a page's invitations and its end). */
let crashAtPageEnd = false;

class CrashingStore extends DynamoStore {
  override async transact(writes: Write[]): Promise<void> {
    if (crashAtPageEnd && writes.some((w) => w.label === 'dispatch' && w.op === 'put' && (w.item as { pages?: number }).pages! > 0)) {
      crashAtPageEnd = false;
      throw new Error('crashed');
    }
    return super.transact(writes);
  }
}

const survey = (overrides: Partial<Survey> = {}): Survey => ({
  id: randomUUID(),
  version: 1,
  status: 'published',
  title: { 'zh-CN': '服务满意度', en: 'Service satisfaction' },
  questions: [{ id: 'nps', kind: 'nps', topic: 'service-quality', text: { 'zh-CN': '推荐', en: 'Recommend' }, required: true }],
  contactFrequencyDays: 90,
  linkValidDays: 30,
  minGroupSize: 5,
  risk: { npsAtMost: 6, csatAtMost: 2 },
  waves: [],
  publishedVersion: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'marketer-1',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'marketer-1',
  etag: 1,
  ...overrides,
});
const quarterly = survey();
const anytime = survey({ contactFrequencyDays: 0 });
const draft = survey({ status: 'draft', publishedVersion: undefined });
const surveys = [quarterly, anytime];

const profileKey = (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'PROFILE' });
async function changeProfile(id: string, change: StoreItem): Promise<void> {
  const item = await store.get<StoreItem>(T, profileKey(id));
  await store.transact([{ op: 'put', table: T, item: { ...item!, ...change } }]);
}

async function customer(consents: boolean): Promise<string> {
  const { customer } = await app.customers.create(newCustomer() as CreateCustomerInput, admin, resolveView('admin').view);
  if (consents) await app.consent.record(customer.id, { purposeId: 'survey', action: 'give', channel: 'online-form', noticeVersion: '2026-01' }, admin);
  return customer.id;
}

/** Every page of a dispatch, as the queue would run them. */
async function runToEnd(id: string): Promise<Dispatch> {
  for (let page = 0; page < 20; page += 1) {
    const result = await service.runPage(id);
    if (result.outcome === 'done' || (result.outcome === 'page' && result.state === 'done')) break;
  }
  return service.get((await repository.find(id))!.surveyId, id, marketer);
}

const adds = (d: Dispatch) => d.progress.selected + Object.values(d.progress.skipped).reduce((a, b) => a + b, 0);
const balanced = (d: Dispatch) => d.progress.queued + d.progress.sent + d.progress.failed === d.progress.selected;
const queuedOf = (dispatchId: string) => events.filter((e) => e.type === 'SurveyInvitationQueued' && e.detail.dispatchId === dispatchId).map((e) => e.detail as { invitationId: string; customerId: string });

const population = { eligible: [] as string[], noConsent: [] as string[], objected: [] as string[], restricted: [] as string[], erased: [] as string[], recent: [] as string[] };

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  store = new CrashingStore(client, prefix);
  app = createContainer(config, { dynamodb: client, store, keyService: new LocalKeyService(Buffer.alloc(32, 8)) });
  await app.consent.putPurpose('survey', { name: 'Surveys', description: 'Satisfaction surveys', noticeVersion: '2026-01', requiresConsent: true, fields: [] }, undefined, admin);
  repository = new DispatchRepository(app.store, config.indexShards.surveys);
  service = new SurveyDispatchService({
    store: app.store,
    repository,
    definitions: {
      definition: async (id) => [...surveys, draft].find((s) => s.id === id),
      published: async () => surveys,
      addWave: async () => undefined,
    },
    consent: app.consent,
    customers: new CustomerRepository(app.store, { shards: config.indexShards.customers }),
    complaints: new ComplaintRepository(app.store, config.indexShards.complaints),
    events: { publish: async (e) => void events.push(...e) },
    audit: app.audit,
    clock: { now: () => new Date() },
    keys: app.keys,
    links: { sign: async (inv) => `v1.${inv.id}.${Date.parse(inv.expiresAt) / 1000}.mac` },
    contacts: app.customers,
    notifier: {
      send: async (m) => {
        sendAttempts += 1;
        if (failSends) throw new Error('mail down');
        sent.push(m);
      },
    },
    linkBase: 'http://127.0.0.1:3000',
  });
  population.eligible = await Promise.all(Array.from({ length: 5 }, () => customer(true)));
  population.noConsent = await Promise.all([customer(false), customer(false)]);
  population.objected = await Promise.all([customer(true), customer(true)]);
  for (const id of population.objected) await changeProfile(id, { objections: ['survey'] });
  population.restricted = [await customer(true)];
  await changeProfile(population.restricted[0]!, { restricted: true });
  population.erased = [await customer(true)];
  await changeProfile(population.erased[0]!, { erasure: { requestId: randomUUID(), startedAt: new Date().toISOString() } });
  population.recent = [await customer(true)];
  await store.transact([{ op: 'put', table: T, item: { ...lastInvitationKey(population.recent[0]!), at: new Date(Date.now() - 10 * DAY).toISOString() } }]);
}, 60_000);

describe('a dispatch page by page', () => {
  let first: Dispatch;

  it('refuses a draft (409 status) and answers an unknown survey 404', async () => {
    await expect(service.start(draft.id, {}, marketer)).rejects.toMatchObject({ kind: 'conflict', field: 'status' });
    await expect(service.start(randomUUID(), {}, marketer)).rejects.toMatchObject({ kind: 'not-found', field: 'id' });
  });

  it('invites exactly the eligible, counts every other by reason, and survives a crash at the end of a page without duplicates', async () => {
    const started = await service.start(quarterly.id, { wave: '2026-Q4' }, marketer);
    expect(started.state).toBe('selecting');
    expect(events.filter((e) => e.type === 'SurveyDispatchPage' && e.detail.dispatchId === started.id)).toHaveLength(1);
    crashAtPageEnd = true;
    await expect(service.runPage(started.id)).rejects.toThrow('crashed');
    // The page is read again (the message redelivered): the same customers, no second invitation.
    first = await runToEnd(started.id);
    expect(first.state).toBe('done');
    expect(first.progress).toMatchObject({ selected: 5, queued: 5, sent: 0, failed: 0 });
    expect(first.progress.skipped).toEqual({
      'no-consent': 2,
      restricted: 1,
      objected: 2,
      erasure: 1,
      'recently-invited': 1,
      'already-invited': 0,
      'no-contact': 0,
      'not-sampled': 0,
    });
    expect(adds(first)).toBe(12);
    const announced = queuedOf(first.id);
    expect(new Set(announced.map((r) => r.invitationId)).size).toBe(5);
    expect(new Set(announced.map((r) => r.customerId))).toEqual(new Set(population.eligible));
    const guards = await repository.guards(population.eligible, quarterly.id, '2026-Q4');
    expect([...guards.values()].every((g) => g.dispatchId === first.id)).toBe(true);
    // Done: a page message arriving late changes nothing.
    expect(await service.runPage(first.id)).toEqual({ outcome: 'done' });
    expect((await service.get(quarterly.id, first.id, marketer)).progress).toEqual(first.progress);
  });

  it('skips the customers invited to the wave by another dispatch', async () => {
    const again = await runToEnd((await service.start(quarterly.id, { wave: '2026-Q4' }, marketer)).id);
    expect(again.progress.selected).toBe(0);
    expect(again.progress.skipped['already-invited']).toBe(5);
    expect(adds(again)).toBe(12);
    expect(queuedOf(again.id)).toHaveLength(0);
  });

  it('samples exactly the size asked for among the eligible, after counting them', async () => {
    const started = await service.start(anytime.id, { wave: '2026-Q4', sampleSize: 3 }, marketer);
    expect(started.state).toBe('counting');
    const sampled = await runToEnd(started.id);
    expect(sampled.eligible).toBe(6);
    expect(sampled.progress.selected).toBe(3);
    expect(sampled.progress.skipped['not-sampled']).toBe(3);
    expect(adds(sampled)).toBe(12);
  });

  it('answers the same dispatch to the same Idempotency-Key', async () => {
    const a = await service.start(anytime.id, { wave: 'idem' }, marketer, 'key-1');
    const b = await service.start(anytime.id, { wave: 'idem' }, marketer, 'key-1');
    expect(b.id).toBe(a.id);
  });

  it('sends an invitation once, with its link, and never again', async () => {
    const [ref] = queuedOf(first.id);
    expect(await service.deliver(ref!, { receive: 1, maxReceives: 5 })).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain(`http://127.0.0.1:3000/answer#token=v1.${ref!.invitationId}.`);
    expect(await service.deliver(ref!, { receive: 2, maxReceives: 5 })).toBe('done');
    expect(sent).toHaveLength(1);
    const now = await service.get(quarterly.id, first.id, marketer);
    expect(now.progress).toMatchObject({ selected: 5, queued: 4, sent: 1, failed: 0 });
  });

  it('retries a failing notifier, fails the invitation at the last receive, and never sends it twice', async () => {
    const ref = queuedOf(first.id)[1]!;
    failSends = true;
    try {
      for (let receive = 1; receive < 5; receive += 1) {
        await expect(service.deliver(ref, { receive, maxReceives: 5 })).rejects.toThrow(/retried/);
        expect((await repository.findInvitation(ref.customerId, ref.invitationId))).toMatchObject({ state: 'queued', attempts: receive });
        expect(balanced(await service.get(quarterly.id, first.id, marketer))).toBe(true);
      }
      await expect(service.deliver(ref, { receive: 5, maxReceives: 5 })).rejects.toThrow(/failed/);
    } finally {
      failSends = false;
    }
    expect(await repository.findInvitation(ref.customerId, ref.invitationId)).toMatchObject({ state: 'failed', failure: 'notifier', attempts: 5 });
    const before = sendAttempts;
    expect(await service.deliver(ref, { receive: 6, maxReceives: 5 })).toBe('done');
    expect(sendAttempts).toBe(before);
    expect(sent.filter((m) => m.body.includes(ref.invitationId))).toHaveLength(0);
    const now = await service.get(quarterly.id, first.id, marketer);
    expect(now.progress).toMatchObject({ selected: 5, queued: 3, sent: 1, failed: 1 });
  });

  it('fails, not resends, an invitation found interrupted after its claim', async () => {
    const ref = queuedOf(first.id)[2]!;
    const item = (await repository.findInvitation(ref.customerId, ref.invitationId))!;
    await store.transact([repository.invitationWrite({ ...item, state: 'sending', version: item.version + 1 }, item.version)]);
    const before = sendAttempts;
    expect(await service.deliver(ref, { receive: 2, maxReceives: 5 })).toBe('interrupted');
    expect(sendAttempts).toBe(before);
    const now = await service.get(quarterly.id, first.id, marketer);
    expect(now.progress).toMatchObject({ selected: 5, queued: 2, sent: 1, failed: 2 });
    expect(balanced(now)).toBe(true);
  });

  it('hands stalled dispatches on again', async () => {
    const stalled = await service.start(anytime.id, { wave: 'stalled' }, marketer);
    const before = events.filter((e) => e.type === 'SurveyDispatchPage' && e.detail.dispatchId === stalled.id).length;
    expect((await service.resumeStalled(0)).resumed).toBeGreaterThanOrEqual(1);
    expect(events.filter((e) => e.type === 'SurveyDispatchPage' && e.detail.dispatchId === stalled.id).length).toBe(before + 1);
    await runToEnd(stalled.id);
    const after = events.length;
    await service.resumeStalled(0);
    expect(events.slice(after).some((e) => e.detail.dispatchId === stalled.id)).toBe(false);
  });
});
