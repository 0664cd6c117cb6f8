import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerRepository, resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { affectedShardOf, notifyRunKey } from '../../shared/contexts/incidents/keys.js';
import { NoticeRepository } from '../../shared/contexts/incidents/notice-repository.js';
import { NotificationService, type NotificationDeps } from '../../shared/contexts/incidents/notifications.js';
import { ScopeRepository } from '../../shared/contexts/incidents/scope-repository.js';
import type { IncidentRecord, NotificationProgress } from '../../shared/contexts/incidents/types.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, Notifier, OutboundMessage, Store, StoreItem } from '../../shared/platform/ports/index.js';
import { dataTable } from '../../shared/platform/store/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { freshTables, scanAll, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/** BR-3: every affected customer told once, in their language, with the progress adding up at every step. */
const T = dataTable.name;
const admin = { actor: { id: 'seed', role: 'admin' as const }, purpose: 'service' };
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'breach-response' };
const once = { receive: 1, maxReceives: 5 };
let app: Container;
let tables: { client: DynamoDBClient; prefix: string };
let store: Store;
let scope: ScopeRepository;
let notices: NoticeRepository;
let service: NotificationService;
let deps: NotificationDeps;
const events: DomainEvent[] = [];
const records = new Map<string, IncidentRecord>();
const contacts = new Map<string, string[]>();

/** The notifier: records what it sends; `down` fails the next sends (`Infinity`: every one). */
const outbox = { sent: [] as OutboundMessage[], attempts: 0, down: 0 };
const notifier: Notifier = {
  send: async (message) => {
    outbox.attempts += 1;
    if (outbox.down > 0) {
      outbox.down -= 1;
      throw new Error('mail down');
    }
    outbox.sent.push(message);
  },
};
const drills: OutboundMessage[] = [];
const drillSink: Notifier = { send: async (m) => void drills.push(m) };

function incident(drill: boolean): IncidentRecord {
  const at = '2026-11-30T08:00:00.000Z';
  const record: IncidentRecord = {
    id: randomUUID(),
    source: drill ? 'drill' : 'staff',
    draft: false,
    drill,
    occurredAt: at,
    discoveredAt: at,
    awareAt: at,
    dataCategories: ['contact', 'address'],
    systems: ['crm'],
    jurisdictions: ['CN'],
    severity: 'high',
    status: 'notifying',
    steps: [],
    history: [],
    deadlineChanges: {},
    explanations: {},
    met: {},
    alerted: {},
    createdAt: at,
    createdBy: 'dpo-1',
    updatedAt: at,
    version: 3,
    text: {
      title: 'Export misconfigured',
      description: 'An export was reachable',
      cause: 'CAUSE-TEXT',
      consequences: 'HARM-TEXT',
      measures: 'MEASURES-TEXT',
      advice: 'ADVICE-TEXT',
      notes: {},
    },
  };
  records.set(record.id, record);
  return record;
}

const profileKey = (id: string) => ({ pk: `CUSTOMER#${id}`, sk: 'PROFILE' });
async function changeProfile(id: string, change: StoreItem): Promise<void> {
  const item = await store.get<StoreItem>(T, profileKey(id));
  await store.transact([{ op: 'put', table: T, item: { ...item!, ...change } }]);
}

async function customer(overrides: Record<string, unknown> = {}): Promise<string> {
  const input = newCustomer(overrides);
  const { customer } = await app.customers.create(input as CreateCustomerInput, admin, resolveView('admin').view);
  contacts.set(customer.id, [...(input.emails as string[]), ...(input.phones as string[])]);
  return customer.id;
}

/** The affected set as the scope job writes it: items and counters in one transaction. */
async function affect(incidentId: string, customerIds: string[]): Promise<void> {
  for (let i = 0; i < customerIds.length; i += 90) {
    const added = customerIds.slice(i, i + 90).map((customerId) => ({ customerId, region: 'CN-SH', jurisdiction: 'CN' as const, addedAt: new Date().toISOString() }));
    await store.transact([...added.map((c) => scope.affectedWrite(incidentId, 'run-1', c)), scope.statsAdd(incidentId, `page-${i}`, added, ['contact', 'address'])]);
  }
}

const total = (p: NotificationProgress) => p.pending + p.queued + p.sent + p.failed + p.undeliverable + p.skipped;
async function balanced(incidentId: string, using = service): Promise<NotificationProgress> {
  const progress = await using.progress(incidentId);
  expect(total(progress)).toBe(progress.affected);
  return progress;
}

/** Every page of a run, as the queue would run them, the progress checked after each. */
async function walk(incidentId: string, using = service): Promise<number> {
  let pages = 0;
  for (; pages < 100; pages += 1) {
    const result = await using.runPage(incidentId);
    await balanced(incidentId, using);
    if (result.outcome !== 'page') break;
  }
  return pages;
}

const queuedFor = (incidentId: string) => events.filter((e) => e.type === 'IncidentNotificationQueued' && e.detail.incidentId === incidentId);
const noticeOf = (incidentId: string, customerId: string) => notices.find(incidentId, customerId);

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  tables = { client, prefix };
  const config = testConfig(prefix, endpoint);
  app = createContainer(config, { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 9)) });
  store = app.store;
  scope = new ScopeRepository(store);
  notices = new NoticeRepository(store);
  deps = {
    store,
    repository: { find: async (id) => records.get(id) },
    scope,
    customers: { contact: app.customers, profiles: new CustomerRepository(store, { shards: config.indexShards.customers }) },
    notifier,
    drillSink,
    events: { publish: async (e) => void events.push(...e) },
    clock: { now: () => new Date() },
    audit: app.audit,
    contact: 'privacy@kehu.example',
  };
  service = new NotificationService(deps);
}, 60_000);

describe('notifying the customers affected by an incident', () => {
  const people = {} as Record<'zh' | 'en' | 'sms' | 'restricted' | 'none' | 'erased' | 'flaky' | 'down' | 'leftover', string>;
  let record: IncidentRecord;

  beforeAll(async () => {
    people.zh = await customer();
    people.en = await customer({ language: 'en' });
    people.sms = await customer({ emails: [] });
    people.restricted = await customer();
    await changeProfile(people.restricted, { restricted: true, objections: ['service', 'marketing'] });
    people.none = await customer({ emails: [], phones: [] });
    people.erased = await customer();
    people.flaky = await customer();
    people.down = await customer();
    people.leftover = await customer();
    record = incident(false);
    await affect(record.id, Object.values(people));
  }, 60_000);

  it('starts once: the run is written, its first page announced, a second start answers 409', async () => {
    const progress = await service.start(record.id, dpo);
    expect(progress).toMatchObject({ affected: 9, pending: 9, queued: 0, state: 'running', drill: false });
    expect(events.filter((e) => e.type === 'IncidentNotificationPage' && e.detail.incidentId === record.id)).toHaveLength(1);
    await expect(service.start(record.id, dpo)).rejects.toMatchObject({ kind: 'conflict', field: 'action' });
  });

  it('makes one notice per affected customer, page by page, and announces each by ids only', async () => {
    await walk(record.id);
    const progress = await balanced(record.id);
    expect(progress).toMatchObject({ pending: 0, queued: 9, sent: 0, state: 'running' });
    const announced = queuedFor(record.id);
    expect(new Set(announced.map((e) => e.detail.customerId))).toEqual(new Set(Object.values(people)));
    expect(announced).toHaveLength(9);
    for (const event of events) {
      expect(Object.keys(event.detail).sort()).toEqual(event.type === 'IncidentNotificationQueued' ? ['customerId', 'incidentId'] : ['incidentId']);
      expect(JSON.stringify(event)).not.toMatch(/@|\+86/);
    }
    // A page message arriving after the walk changes nothing.
    expect(await service.runPage(record.id)).toEqual({ outcome: 'done' });
    expect(queuedFor(record.id)).toHaveLength(9);
  });

  it('sends in the customer language, by mail first else SMS, restriction and objection aside; a duplicate sends nothing', async () => {
    expect(await service.deliver({ incidentId: record.id, customerId: people.zh }, once)).toBe('sent');
    expect(await service.deliver({ incidentId: record.id, customerId: people.en }, once)).toBe('sent');
    expect(await service.deliver({ incidentId: record.id, customerId: people.sms }, once)).toBe('sent');
    expect(await service.deliver({ incidentId: record.id, customerId: people.restricted }, once)).toBe('sent');
    const [zh, en, sms, restricted] = outbox.sent;
    expect(zh).toMatchObject({ channel: 'email', to: contacts.get(people.zh)![0] });
    expect(zh!.body).toContain('CAUSE-TEXT');
    expect(zh!.body).toContain('联系方式');
    expect(en!.body).toContain('What you can do: ADVICE-TEXT');
    expect(sms).toMatchObject({ channel: 'sms', to: contacts.get(people.sms)![0] });
    expect(sms!.body).toContain('privacy@kehu.example');
    expect(restricted!.to).toBe(contacts.get(people.restricted)![0]);
    for (const message of outbox.sent) for (const value of contacts.get(Object.values(people).find((id) => contacts.get(id)![0] === message.to)!)!) expect(message.body).not.toContain(value);
    expect(await service.deliver({ incidentId: record.id, customerId: people.zh }, { receive: 2, maxReceives: 5 })).toBe('done');
    expect(outbox.sent).toHaveLength(4);
    expect(await noticeOf(record.id, people.zh)).toMatchObject({ state: 'sent', channel: 'email', attempts: 1 });
    expect(await balanced(record.id)).toMatchObject({ queued: 5, sent: 4 });
  });

  it('marks a customer without contact undeliverable and one erased meanwhile skipped', async () => {
    expect(await service.deliver({ incidentId: record.id, customerId: people.none }, once)).toBe('undeliverable');
    await changeProfile(people.erased, { erasure: { requestId: randomUUID(), startedAt: new Date().toISOString() } });
    expect(await service.deliver({ incidentId: record.id, customerId: people.erased }, once)).toBe('skipped');
    expect(await noticeOf(record.id, people.none)).toMatchObject({ state: 'undeliverable', failure: 'no-contact' });
    expect(await noticeOf(record.id, people.erased)).toMatchObject({ state: 'skipped', failure: 'erased' });
    expect(await balanced(record.id)).toMatchObject({ queued: 3, sent: 4, undeliverable: 1, skipped: 1 });
    expect(outbox.sent).toHaveLength(4);
  });

  it('retries while the notifier is down and sends once when it is back', async () => {
    const ref = { incidentId: record.id, customerId: people.flaky };
    outbox.down = 2;
    for (const receive of [1, 2]) {
      await expect(service.deliver(ref, { receive, maxReceives: 5 })).rejects.toThrow(/retried/);
      expect(await noticeOf(record.id, people.flaky)).toMatchObject({ state: 'queued', attempts: receive });
      expect(await balanced(record.id)).toMatchObject({ queued: 3 });
    }
    expect(await service.deliver(ref, { receive: 3, maxReceives: 5 })).toBe('sent');
    expect(outbox.sent.filter((m) => m.to === contacts.get(people.flaky)![0])).toHaveLength(1);
    expect(await balanced(record.id)).toMatchObject({ queued: 2, sent: 5 });
  });

  it('fails a notice at the last receive while the notifier stays down, counted and listed', async () => {
    const ref = { incidentId: record.id, customerId: people.down };
    outbox.down = Infinity;
    try {
      for (let receive = 1; receive < 5; receive += 1) await expect(service.deliver(ref, { receive, maxReceives: 5 })).rejects.toThrow(/retried/);
      await expect(service.deliver(ref, { receive: 5, maxReceives: 5 })).rejects.toThrow(/counted as failed/);
    } finally {
      outbox.down = 0;
    }
    expect(await noticeOf(record.id, people.down)).toMatchObject({ state: 'failed', failure: 'notifier', attempts: 5, channel: 'email' });
    const attempts = outbox.attempts;
    expect(await service.deliver(ref, { receive: 6, maxReceives: 5 })).toBe('done');
    expect(outbox.attempts).toBe(attempts);
    expect(await balanced(record.id)).toMatchObject({ queued: 1, failed: 1 });
    const failed = await service.list(record.id, { state: 'failed' }, dpo);
    expect(failed.items).toEqual([expect.objectContaining({ customerId: people.down, state: 'failed', failure: 'notifier' })]);
  });

  it('fails, never resends, a notice found sending after an interruption, and then the run is done', async () => {
    const found = (await noticeOf(record.id, people.leftover))!;
    // Claimed just now: a duplicate message leaves it to the send that may still be running.
    await store.transact([notices.noticeWrite({ ...found, state: 'sending', attempts: 1, updatedAt: new Date().toISOString(), version: found.version + 1 }, found.version)]);
    await expect(service.deliver({ incidentId: record.id, customerId: people.leftover }, { receive: 2, maxReceives: 5 })).rejects.toThrow(/NoticeInFlight\)/);
    expect(await noticeOf(record.id, people.leftover)).toMatchObject({ state: 'sending' });
    // Claimed ten minutes ago: that send was interrupted, and may have gone out.
    const claimed = (await noticeOf(record.id, people.leftover))!;
    await store.transact([notices.noticeWrite({ ...claimed, updatedAt: new Date(Date.now() - 600_000).toISOString(), version: claimed.version + 1 }, claimed.version)]);
    const attempts = outbox.attempts;
    expect(await service.deliver({ incidentId: record.id, customerId: people.leftover }, { receive: 2, maxReceives: 5 })).toBe('interrupted');
    expect(outbox.attempts).toBe(attempts);
    expect(await noticeOf(record.id, people.leftover)).toMatchObject({ state: 'failed', failure: 'interrupted' });
    const progress = await balanced(record.id);
    expect(progress).toMatchObject({ affected: 9, pending: 0, queued: 0, sent: 5, failed: 2, undeliverable: 1, skipped: 1, state: 'done' });
    expect(progress.finishedAt).toBeDefined();
  });

  it('lists every notice pseudonymously, paged; nothing of a contact sits in the table', async () => {
    const first = await service.list(record.id, { limit: 5 }, dpo);
    const rest = await service.list(record.id, { limit: 5, cursor: first.cursor! }, dpo);
    const all = [...first.items, ...rest.items];
    expect(new Set(all.map((n) => n.customerId))).toEqual(new Set(Object.values(people)));
    expect(JSON.stringify(all)).not.toMatch(/@|\+86|language|version/);
    const raw = JSON.stringify(await scanAll(tables.client, tables.prefix));
    for (const values of contacts.values()) for (const value of values) expect(raw).not.toContain(value);
  });
});

describe('a drill', () => {
  it('sends only to the drill sink, the recipient masked and the subject marked', async () => {
    const record = incident(true);
    const who = [await customer(), await customer({ emails: [] })];
    await affect(record.id, who);
    const before = outbox.sent.length;
    expect((await service.start(record.id, dpo)).drill).toBe(true);
    await walk(record.id);
    for (const customerId of who) expect(await service.deliver({ incidentId: record.id, customerId }, once)).toBe('sent');
    expect(outbox.sent.length).toBe(before);
    expect(drills).toHaveLength(2);
    for (const message of drills) {
      expect(message.subject.startsWith('[DRILL] ')).toBe(true);
      expect(message.to).toContain('*');
      for (const values of contacts.values()) for (const value of values) expect(JSON.stringify(message)).not.toContain(value);
    }
    expect(drills.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    expect(await balanced(record.id)).toMatchObject({ sent: 2, state: 'done', drill: true });
  });

  it('is refused without a drill sink, nothing written', async () => {
    const { drillSink: _sink, ...rest } = deps;
    const without = new NotificationService(rest);
    const record = incident(true);
    await affect(record.id, [await customer()]);
    const published = events.length;
    await expect(without.start(record.id, dpo)).rejects.toMatchObject({ kind: 'conflict', field: 'drill' });
    expect(await store.get(T, notifyRunKey(record.id))).toBeUndefined();
    expect(events.length).toBe(published);
    expect(await balanced(record.id, without)).toMatchObject({ state: 'not-started', pending: 1 });
  });
});

describe('a large shard', () => {
  it('is walked in pages of at most 90, each customer once, and a lost message is announced again', async () => {
    const record = incident(false);
    const crowded: string[] = [];
    while (crowded.length < 95) {
      const id = randomUUID();
      if (affectedShardOf(id) === 0) crowded.push(id);
    }
    const elsewhere = [randomUUID(), randomUUID(), randomUUID()].filter((id) => affectedShardOf(id) !== 0);
    await affect(record.id, [...crowded, ...elsewhere]);
    await service.start(record.id, dpo);
    const first = await service.runPage(record.id);
    expect(first).toEqual({ outcome: 'page', queued: 90 });
    await walk(record.id);
    const announced = queuedFor(record.id).map((e) => e.detail.customerId);
    expect(announced).toHaveLength(95 + elsewhere.length);
    expect(new Set(announced)).toEqual(new Set([...crowded, ...elsewhere]));
    expect(await balanced(record.id)).toMatchObject({ pending: 0, queued: 95 + elsewhere.length, state: 'running' });
    // Every message lost: the sweep announces the unsettled notices again; a customer no longer there is skipped.
    expect((await service.resumeStalled(0)).resumed).toBeGreaterThanOrEqual(95 + elsewhere.length);
    expect(queuedFor(record.id).length).toBeGreaterThanOrEqual(2 * (95 + elsewhere.length));
    expect(await service.deliver({ incidentId: record.id, customerId: crowded[0]! }, once)).toBe('skipped');
    expect(await balanced(record.id)).toMatchObject({ skipped: 1 });
  });
});
