import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { CustomerRepository, resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { IncidentRepository } from '../../shared/contexts/incidents/repository.js';
import { ScopeService, SCOPE_PAGE_WRITES } from '../../shared/contexts/incidents/scope.js';
import { MAX_EXPLICIT_CUSTOMERS } from '../../shared/contexts/incidents/scope-sources.js';
import type { IncidentDataCategory, IncidentRecord, IncidentStatus, ScopeCounts, ScopeSource } from '../../shared/contexts/incidents/types.js';
import { AuditRepository } from '../../shared/platform/audit/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, Store, StoreItem, Write } from '../../shared/platform/ports/index.js';
import { dataTable } from '../../shared/platform/store/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, scanAll, testConfig } from '../support/dynamo.js';

/** BR-1: an incident's affected customers found by a paged job from four sources, counted once each. */
const T = dataTable.name;
const MINUTE = 60_000;
const admin = { actor: { id: 'seed', role: 'admin' as const }, purpose: 'service' };
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'breach-response' };
const reader = { actor: { id: 'agent-leaky', role: 'agent' as const }, purpose: 'service' };
const bystander = { actor: { id: 'agent-other', role: 'agent' as const }, purpose: 'service' };
const REGIONS = ['CN-SH', 'DE-BE', 'US', 'FR'] as const;
const CATEGORIES: IncidentDataCategory[] = ['identity', 'contact'];

let client: DynamoDBClient;
let prefix: string;
let app: Container;
let incidents: IncidentRepository;
let service: ScopeService;
/** The same service over a store that runs `beforeTransact` once before its next transaction (a race made certain). */
let hooked: ScopeService;
let depsOf: (store: Store) => ConstructorParameters<typeof ScopeService>[0];
let beforeTransact: ((writes: Write[]) => Promise<void>) | undefined;
const events: DomainEvent[] = [];
let now = Date.parse('2026-03-02T08:00:00.000Z');
const clock = { now: () => new Date(now) };
const tick = (ms = MINUTE) => (now += ms);

/** Every personal value given to a customer: none may reach an incident's items. */
const personal: string[] = [];
const regionOf = new Map<string, string>();
/** Customers the actor read within the window, in order (some twice). */
let read: string[] = [];
let erasedId: string;
const missingId = randomUUID();
let window: { from: string; to: string };
let outside: { before: string; after: string; bystanders: string[] };

class HookStore implements Store {
  constructor(private readonly inner: Store) {}
  get cursors() {
    return this.inner.cursors;
  }
  get<R extends StoreItem>(table: string, key: StoreItem) {
    return this.inner.get<R>(table, key);
  }
  getMany<R extends StoreItem>(table: string, keys: StoreItem[]) {
    return this.inner.getMany<R>(table, keys);
  }
  query<R extends StoreItem>(input: Parameters<Store['query']>[0]) {
    return this.inner.query<R>(input);
  }
  count(input: Parameters<Store['count']>[0]) {
    return this.inner.count(input);
  }
  increment(table: string, key: StoreItem, attribute: string, by?: number) {
    return this.inner.increment(table, key, attribute, by);
  }
  async transact(writes: Write[]) {
    const hook = beforeTransact;
    beforeTransact = undefined;
    if (hook) await hook(writes);
    return this.inner.transact(writes);
  }
}

let serial = 0;
/** A new customer's input (personal values unique to this file's run). */
function newCustomer(region: string) {
  serial += 1;
  const unique = `${Date.now() % 1_000_000}${String(serial).padStart(4, '0')}`;
  return {
    type: 'individual',
    name: `Scopename ${unique}`,
    emails: [`scoped${unique}@example.com`],
    phones: [`+86139${unique.slice(-8).padStart(8, '0')}`],
    region,
    tier: 'normal',
    tags: ['wechat'],
    stage: 'new',
    collection: { channel: 'online-form', purposes: ['service'], noticeVersion: '2026-01', lawfulBasis: 'consent' },
  };
}

async function customer(region: string): Promise<string> {
  const input = newCustomer(region);
  personal.push(input.name, ...input.emails, ...input.phones);
  const { customer } = await app.customers.create(input as CreateCustomerInput, admin, resolveView('admin').view);
  regionOf.set(customer.id, region);
  return customer.id;
}

const readCustomer = (id: string, context = reader) => app.customers.get(id, context, resolveView('agent').view);

async function incident(status: IncidentStatus = 'open'): Promise<string> {
  const id = randomUUID();
  const at = clock.now().toISOString();
  const record: IncidentRecord = {
    id,
    source: 'staff',
    draft: false,
    drill: false,
    occurredAt: at,
    discoveredAt: at,
    awareAt: at,
    dataCategories: CATEGORIES,
    systems: ['crm'],
    jurisdictions: [],
    severity: 'high',
    status,
    steps: [],
    history: [],
    deadlineChanges: {},
    explanations: {},
    met: {},
    alerted: {},
    createdAt: at,
    createdBy: dpo.actor.id,
    updatedAt: at,
    version: 1,
    text: { title: 'Export left on a share', description: 'An agent exported records', notes: {} },
  };
  const { writes, remember } = await incidents.createWrites(record);
  await app.store.transact(writes);
  remember();
  return id;
}

/** Every page of a run, as the queue would hand them over. */
async function runToEnd(incidentId: string, runId: string, via = service): Promise<number> {
  let pages = 0;
  for (; pages < 50; pages += 1) if ((await via.runPage(incidentId, runId)).outcome === 'done') break;
  return pages + 1;
}

async function scope(incidentId: string, source: ScopeSource): Promise<string> {
  const run = await service.start(incidentId, source, dpo);
  await runToEnd(incidentId, run.id);
  return run.id;
}

async function affectedIds(incidentId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await service.affected(incidentId, { limit: 40, ...(cursor ? { cursor } : {}) }, dpo);
    ids.push(...page.items.map((item) => item.customerId));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

const sum = (counts: Record<string, number | undefined>) => Object.values(counts).reduce<number>((a, b) => a + (b ?? 0), 0);
const expectBalanced = (counts: ScopeCounts) => {
  expect(sum(counts.byRegion)).toBe(counts.affected);
  expect(sum(counts.byJurisdiction)).toBe(counts.affected);
  for (const category of CATEGORIES) expect(counts.byCategory[category]).toBe(counts.affected);
};

beforeAll(async () => {
  const tables = await freshTables();
  ({ client, prefix } = tables);
  const config = testConfig(prefix, tables.endpoint);
  app = createContainer(config, { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 11)), clock, events: { publish: async () => undefined } });
  incidents = new IncidentRepository(app.store, app.keys, config.indexShards.incidents);
  depsOf = (store: Store) => ({
    store,
    repository: incidents,
    audit: app.audit,
    auditEntries: new AuditRepository(app.store, config.indexShards.auditActors),
    shares: app.sharing,
    customers: new CustomerRepository(app.store, { shards: config.indexShards.customers }),
    events: { publish: async (e: DomainEvent[]) => void events.push(...e) },
    clock,
  });
  service = new ScopeService(depsOf(app.store));
  hooked = new ScopeService(depsOf(new HookStore(app.store)));

  const before = await customer('CN-SH');
  await readCustomer(before);
  tick();
  const ids: string[] = [];
  for (let i = 0; i < 100; i += 1) ids.push(await customer(REGIONS[i % REGIONS.length]!));
  erasedId = await customer('DE-BE');
  const bystanders = [await customer('CN-SH'), await customer('US')];
  window = { from: clock.now().toISOString(), to: '' };
  for (const id of [...ids, erasedId, ...ids.slice(0, 5)]) {
    await readCustomer(id);
    read.push(id);
  }
  for (const id of bystanders) await readCustomer(id, bystander);
  // Entries not about a customer are not a scope; a customer read and gone since still is.
  await app.audit.record(reader, [{ action: 'complaint.read', target: { type: 'complaint', id: randomUUID() } }]);
  await app.audit.record(reader, [{ action: 'customer.read', target: { type: 'customer', id: missingId } }]);
  read.push(missingId);
  tick(1000);
  window.to = clock.now().toISOString();
  tick();
  const after = await customer('US');
  await readCustomer(after);
  outside = { before, after, bystanders };
  read = [...new Set(read)];
  // Erased after the reads: the record is gone for every reader, the data was read before.
  const profile = await app.store.get<StoreItem>(T, { pk: `CUSTOMER#${erasedId}`, sk: 'PROFILE' });
  await app.store.transact([{ op: 'put', table: T, item: { ...profile!, erasure: { requestId: randomUUID(), startedAt: clock.now().toISOString() } } }]);
}, 120_000);

describe('incident scope from an actor’s audit trail', () => {
  let incidentId: string;

  it('adds exactly the customers the actor touched in the window, page by page, counted by region, jurisdiction and category', async () => {
    incidentId = await incident();
    const run = await service.start(incidentId, { by: 'actor', actor: reader.actor.id, ...window }, dpo);
    expect(run).toMatchObject({ state: 'running', read: 0, added: 0, pages: 0 });
    expect(events.filter((e) => e.type === 'IncidentScopePage' && e.detail.runId === run.id)).toHaveLength(1);
    const pages = await runToEnd(incidentId, run.id);
    expect(pages).toBeGreaterThanOrEqual(2);

    const ids = await affectedIds(incidentId);
    expect(ids).toHaveLength(read.length);
    expect(new Set(ids)).toEqual(new Set(read));
    for (const id of [outside.before, outside.after, ...outside.bystanders]) expect(ids).not.toContain(id);

    const counts = await service.counts(incidentId);
    expect(counts.affected).toBe(read.length);
    expectBalanced(counts);
    const live = read.filter((id) => id !== erasedId && id !== missingId);
    const of = (region: string) => live.filter((id) => regionOf.get(id) === region).length;
    expect(counts.byRegion).toEqual({ 'CN-SH': of('CN-SH'), 'DE-BE': of('DE-BE'), US: of('US'), FR: of('FR'), unknown: 2 });
    expect(counts.byJurisdiction).toEqual({ CN: of('CN-SH'), EU: of('DE-BE') + of('FR'), OTHER: of('US') + 2 });

    const [done] = await service.runs(incidentId);
    expect(done).toMatchObject({ id: run.id, state: 'done', added: read.length, pages });
    expect(done!.read).toBe(read.length + 5 + 1);
    expect(done!.finishedAt).toBeDefined();
  });

  it('keeps the customers gone since with region unknown and no jurisdiction', async () => {
    const page = await service.affected(incidentId, { limit: 500 }, dpo);
    const gone = page.items.filter((item) => item.customerId === erasedId || item.customerId === missingId);
    expect(gone).toHaveLength(2);
    for (const item of gone) expect(item).toMatchObject({ region: 'unknown', jurisdiction: 'OTHER' });
  });

  it('counts nobody twice: a page run again, a second run of the same source', async () => {
    const before = await service.counts(incidentId);
    const [first] = await service.runs(incidentId);
    expect(await service.runPage(incidentId, first!.id)).toEqual({ outcome: 'done' });
    tick();
    const again = await scope(incidentId, { by: 'actor', actor: reader.actor.id, ...window });
    expect(await service.counts(incidentId)).toEqual(before);
    const runs = await service.runs(incidentId);
    expect(runs.map((r) => r.id)).toEqual([first!.id, again]);
    expect(runs[1]).toMatchObject({ state: 'done', added: 0 });
  });

  it('pages the affected list with sealed cursors that fit no other incident', async () => {
    const first = await service.affected(incidentId, { limit: 10 }, dpo);
    expect(first.items).toHaveLength(10);
    expect(first.cursor).toBeDefined();
    const second = await service.affected(incidentId, { limit: 10, cursor: first.cursor! }, dpo);
    expect(second.items.map((i) => i.customerId)).not.toContain(first.items[0]!.customerId);
    const other = await incident();
    await expect(service.affected(other, { limit: 10, cursor: first.cursor! }, dpo)).rejects.toMatchObject({ kind: 'validation' });
  });

  it('audits the start and every read of the affected list', async () => {
    const entries = await app.audit.list({ target: { type: 'incident', id: incidentId } }, {}, { limit: 100 });
    const actions = entries.items.map((e) => e.action);
    expect(actions.filter((a) => a === 'incident.scope')).toHaveLength(2);
    expect(actions).toContain('incident.affected.read');
    expect(entries.items.every((e) => e.actor === dpo.actor.id && e.purpose === 'breach-response')).toBe(true);
  });
});

describe('a page raced by a duplicate message', () => {
  it('moves the run once and counts its customers once', async () => {
    const incidentId = await incident();
    const ids = read.slice(0, SCOPE_PAGE_WRITES + 5);
    const run = await hooked.start(incidentId, { by: 'customers', customerIds: ids }, dpo);
    let duplicate: unknown;
    beforeTransact = async () => {
      duplicate = await service.runPage(incidentId, run.id);
    };
    expect(await hooked.runPage(incidentId, run.id)).toEqual({ outcome: 'raced' });
    expect(duplicate).toEqual({ outcome: 'page', added: SCOPE_PAGE_WRITES });
    expect((await service.runs(incidentId))[0]).toMatchObject({ pages: 1, added: SCOPE_PAGE_WRITES, state: 'running' });
    await runToEnd(incidentId, run.id);
    const counts = await service.counts(incidentId);
    expect(counts.affected).toBe(ids.length);
    expectBalanced(counts);
    expect((await affectedIds(incidentId)).sort()).toEqual([...ids].sort());
  });

  it('reads again when another run added one of its customers meanwhile', async () => {
    const incidentId = await incident();
    const a = await hooked.start(incidentId, { by: 'customers', customerIds: read.slice(0, 10) }, dpo);
    const b = await service.start(incidentId, { by: 'customers', customerIds: read.slice(5, 15) }, dpo);
    beforeTransact = async () => void (await runToEnd(incidentId, b.id));
    expect(await hooked.runPage(incidentId, a.id)).toEqual({ outcome: 'done', added: 5 });
    expect((await service.counts(incidentId)).affected).toBe(15);
    const runs = await service.runs(incidentId);
    expect(runs.find((r) => r.id === a.id)).toMatchObject({ state: 'done', added: 5, read: 10 });
    expect(runs.find((r) => r.id === b.id)).toMatchObject({ state: 'done', added: 10 });
  });
});

describe('incident scope from a partner’s shares', () => {
  it('adds the customers of the partner’s shares in the window, carrying what one page cannot write', async () => {
    const shared = read.filter((id) => id !== erasedId && id !== missingId).slice(0, 100);
    const unshared = [outside.before, outside.after, outside.bystanders[0]!];
    await app.consent.putPurpose('partner-offers', { name: 'Partner offers', description: 'Offers of partners', noticeVersion: '2026-01', requiresConsent: true, fields: ['region'] }, undefined, admin);
    for (const id of [...shared, ...unshared]) await app.consent.record(id, { purposeId: 'partner-offers', action: 'give', channel: 'online-form', noticeVersion: '2026-01' }, admin);
    for (const id of ['acme', 'other']) {
      await app.sharing.createPartner({ id, name: id, agreementRef: `DSA-${id}`, purposes: ['partner-offers'], fields: ['region'] }, admin);
    }
    const share = (partnerId: string, customerIds: string[]) =>
      app.sharing.share({ partnerId, purposeId: 'partner-offers', fields: ['region'], customerIds, legalBasis: 'consent' }, admin);
    await share('acme', [outside.before]);
    tick();
    const from = clock.now().toISOString();
    await share('acme', shared.slice(0, 45));
    tick(1000);
    await share('acme', shared.slice(45, 90));
    tick(1000);
    await share('acme', [...shared.slice(90), ...shared.slice(0, 5)]);
    await share('other', [outside.bystanders[0]!]);
    const to = clock.now().toISOString();
    tick();
    await share('acme', [outside.after]);

    const incidentId = await incident('contained');
    const runId = await scope(incidentId, { by: 'partner', partnerId: 'acme', from, to });
    expect(new Set(await affectedIds(incidentId))).toEqual(new Set(shared));
    const counts = await service.counts(incidentId);
    expect(counts.affected).toBe(shared.length);
    expectBalanced(counts);
    const [run] = await service.runs(incidentId);
    // One page of shares names 135 customers (100 distinct): 90 written, the rest carried to a second page.
    expect(run).toMatchObject({ id: runId, state: 'done', read: 3, added: shared.length, pages: 2 });
  });
});

describe('incident scope from a segment and from an explicit list', () => {
  it('adds the live customers of the segment', async () => {
    const incidentId = await incident('assessed');
    await scope(incidentId, { by: 'segment', segment: { region: 'DE-BE', tag: 'wechat' } });
    const expected = [...regionOf].filter(([id, region]) => region === 'DE-BE' && id !== erasedId).map(([id]) => id);
    expect(expected.length).toBeGreaterThan(20);
    expect(new Set(await affectedIds(incidentId))).toEqual(new Set(expected));
    const counts = await service.counts(incidentId);
    expect(counts).toMatchObject({ affected: expected.length, byRegion: { 'DE-BE': expected.length }, byJurisdiction: { EU: expected.length } });
  });

  it('adds the customers a list names, an unknown id with region unknown', async () => {
    const incidentId = await incident();
    const ids = [read[0]!, read[1]!, read[0]!, missingId];
    const run = await service.start(incidentId, { by: 'customers', customerIds: ids }, dpo);
    expect(run.source).toEqual({ by: 'customers', customerIds: [read[0], read[1], missingId] });
    await runToEnd(incidentId, run.id);
    const page = await service.affected(incidentId, {}, dpo);
    expect(page.items.map((i) => i.customerId).sort()).toEqual([read[0], read[1], missingId].sort());
    expect((await service.counts(incidentId)).byRegion.unknown).toBe(1);
  });

  it('refuses a list too long or not of customer ids', async () => {
    const incidentId = await incident();
    const many = Array.from({ length: MAX_EXPLICIT_CUSTOMERS + 1 }, () => randomUUID());
    await expect(service.start(incidentId, { by: 'customers', customerIds: many }, dpo)).rejects.toMatchObject({ field: 'customerIds' });
    await expect(service.start(incidentId, { by: 'customers', customerIds: [] }, dpo)).rejects.toBeInstanceOf(ValidationError);
    await expect(service.start(incidentId, { by: 'customers', customerIds: ['KH00000001'] }, dpo)).rejects.toMatchObject({ field: 'customerIds.0' });
    await expect(service.start(incidentId, { by: 'actor', actor: 'x', from: window.to, to: window.from }, dpo)).rejects.toMatchObject({ field: 'to' });
    expect(await service.runs(incidentId)).toEqual([]);
  });
});

describe('when a scope may start', () => {
  it('refuses a notifying or closed incident (409 status) and an unknown one (404)', async () => {
    for (const status of ['notifying', 'remediated', 'closed'] as const) {
      const incidentId = await incident(status);
      const attempt = service.start(incidentId, { by: 'customers', customerIds: [read[0]!] }, dpo);
      await expect(attempt).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toMatchObject({ field: 'status' });
      expect(await service.runs(incidentId)).toEqual([]);
    }
    await expect(service.start(randomUUID(), { by: 'customers', customerIds: [read[0]!] }, dpo)).rejects.toBeInstanceOf(NotFoundError);
    await expect(service.affected(randomUUID(), {}, dpo)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('cannot slip in beside a change that fixed the set: the start is conditional on the incident read', async () => {
    const incidentId = await incident('notifying');
    let reads = 0;
    // The first read sees the incident as it was before its notify committed.
    const stale = new ScopeService({
      ...depsOf(app.store),
      repository: {
        find: async (id: string) => {
          const record = await incidents.find(id);
          reads += 1;
          return record && reads === 1 ? { ...record, status: 'contained' as const, version: record.version - 1 } : record;
        },
      },
    });
    const attempt = stale.start(incidentId, { by: 'customers', customerIds: [read[0]!] }, dpo);
    await expect(attempt).rejects.toMatchObject({ field: 'status' });
    expect(reads).toBe(2);
    expect(await service.runs(incidentId)).toEqual([]);
    const entries = await app.audit.list({ target: { type: 'incident', id: incidentId } }, {}, { limit: 10 });
    expect(entries.items).toEqual([]);
  });

  it('resumes a run whose page message was lost', async () => {
    const incidentId = await incident();
    const run = await service.start(incidentId, { by: 'customers', customerIds: [read[0]!] }, dpo);
    tick(10 * MINUTE);
    const before = events.length;
    const { resumed } = await service.resumeStalled(5 * MINUTE);
    expect(resumed).toBeGreaterThanOrEqual(1);
    expect(events.slice(before).map((e) => e.detail)).toContainEqual({ incidentId, runId: run.id });
    await runToEnd(incidentId, run.id);
    const after = events.length;
    await service.resumeStalled(0);
    expect(events.slice(after).map((e) => e.detail)).not.toContainEqual({ incidentId, runId: run.id });
  });
});

describe('what the table holds', () => {
  it('keeps the affected set and the runs pseudonymous: no personal value in clear', async () => {
    const items = (await scanAll(client, prefix)).filter((item) => String((item.pk as { S?: string }).S).startsWith('INCIDENT#'));
    const affected = items.filter((item) => String((item.pk as { S: string }).S).includes('#AFFECTED#'));
    expect(affected.length).toBeGreaterThan(100);
    const raw = JSON.stringify(items);
    expect(personal.length).toBeGreaterThan(300);
    for (const value of personal) expect(raw).not.toContain(value);
  });
});
