import { beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IdempotencyKeyReusedError } from '../../shared/contexts/customers/index.js';
import { defaultObligations } from '../../shared/contexts/incidents/obligations.js';
import {
  draftIdOf,
  IncidentRepository,
  IncidentService,
  type CreateIncidentInput,
  type IncidentNotifications,
  type IncidentScopes,
  type IncidentServiceDeps,
  type NotificationProgress,
  type ScopeRun,
  type ScopeSource,
} from '../../shared/contexts/incidents/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { composeContainer } from '../../shared/runtime/index.js';
import { freshTables, scanAll, testConfig } from '../support/dynamo.js';

/** The incident record against DynamoDB Local (BR-1, BR-4): created, read, moved on in order, locked, sealed. */
let incidents: IncidentService;
let client: DynamoDBClient;
let prefix: string;
let now = new Date('2026-12-04T10:00:00.000Z');
const dpo = { actor: { id: 'dpo-1', role: 'dpo' as const }, purpose: 'breach-response' };
const detector = { actor: { id: 'access-detector', role: 'system' as const }, purpose: 'breach-response' };

// The scope job and the notices are others' services: small fakes of the narrow interfaces here.
const runs = new Map<string, ScopeRun[]>();
const scopeStarts: Array<{ id: string; source: ScopeSource }> = [];
/** The service's parts, for a second service beside it with one part swapped. */
let deps: IncidentServiceDeps;
const scope: IncidentScopes = {
  start: async (id, source) => {
    scopeStarts.push({ id, source });
    const run: ScopeRun = { id: `run-${scopeStarts.length}`, source, state: 'running', read: 0, added: 0, pages: 0, startedAt: now.toISOString() };
    runs.set(id, [...(runs.get(id) ?? []), run]);
    return run;
  },
  counts: async () => ({ affected: 0, byRegion: {}, byJurisdiction: {}, byCategory: {} }),
  runs: async (id) => runs.get(id) ?? [],
};
const finishScope = (id: string) => runs.set(id, (runs.get(id) ?? []).map((r) => ({ ...r, state: 'done' as const, finishedAt: now.toISOString() })));
const progress = new Map<string, NotificationProgress>();
const notificationStarts: string[] = [];
const notStarted: NotificationProgress = { affected: 0, pending: 0, queued: 0, sent: 0, failed: 0, undeliverable: 0, skipped: 0, state: 'not-started', drill: false };
const notifications: IncidentNotifications = {
  start: async (id) => {
    if (progress.has(id)) throw new ConflictError('Notified already.', 'action');
    notificationStarts.push(id);
    const started: NotificationProgress = { ...notStarted, state: 'done', startedAt: now.toISOString(), finishedAt: now.toISOString() };
    progress.set(id, started);
    return started;
  },
  progress: async (id) => progress.get(id) ?? notStarted,
};

const SECRET = 'Wang Fang 王芳';
const input = (over: Partial<CreateIncidentInput> = {}): CreateIncidentInput => ({
  title: `Export of ${SECRET} left on a share`,
  description: `The file listed ${SECRET} and 300 others.`,
  source: 'staff',
  occurredAt: '2026-12-03T08:00:00.000Z',
  discoveredAt: '2026-12-04T08:00:00.000Z',
  awareAt: '2026-12-04T09:00:00.000Z',
  severity: 'high',
  dataCategories: ['contact'],
  ...over,
});
const assess = {
  action: 'assess' as const,
  highRisk: false,
  consequences: `Mail to ${SECRET}`,
  cause: 'A share opened too widely',
  advice: 'Ignore unexpected mails',
  exposure: { sealedFields: ['email'], clearFields: [], keysExposed: false },
};

const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('expected a problem'), (e: unknown) => e as Error & { field?: string; extensions?: Record<string, unknown> });
const rejects = async (promise: Promise<unknown>, type: new (...args: never[]) => Error, field?: string) => {
  const error = await failure(promise);
  expect(error).toBeInstanceOf(type);
  if (field !== undefined) expect(error.field).toBe(field);
  return error;
};
const read = (id: string) => incidents.get(id, dpo);
/** Creates an incident and moves it on to `remediated` (no obligation applies: nobody affected anywhere). */
async function remediated(over: Partial<CreateIncidentInput> = {}) {
  const created = await incidents.create(input(over), dpo);
  await incidents.transition(created.id, assess, dpo);
  await incidents.transition(created.id, { action: 'contain', measures: 'Share closed' }, dpo);
  return incidents.transition(created.id, { action: 'remediate' }, dpo);
}

beforeAll(async () => {
  const tables = await freshTables();
  ({ client, prefix } = tables);
  const { endpoint } = tables;
  const container = composeContainer(
    testConfig(prefix, endpoint),
    { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 23)), clock: { now: () => now } },
    (w) => {
      deps = {
        repository: new IncidentRepository(w.store, w.keys, 4),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        scope,
        notifications,
        obligations: defaultObligations,
        operatorType: 'ordinary',
        idempotencyTtlSeconds: 3600,
      };
      return { incidents: new IncidentService(deps) };
    },
  );
  incidents = container.incidents;
});

describe('incident record (BR-1)', () => {
  it('creates an open incident and reads it with its deadlines', async () => {
    const created = await incidents.create(input({ jurisdictions: ['EU'] }), dpo);
    expect(created).toMatchObject({ status: 'open', version: 1, draft: false, drill: false, title: input().title, createdBy: 'dpo-1', grade: 'general', steps: [], history: [] });
    const shown = await read(created.id);
    expect(shown).toEqual(created);
    const gdpr33 = shown.deadlines.find((d) => d.obligation === 'gdpr-33');
    expect(gdpr33).toMatchObject({ applies: true, state: 'running', dueAt: '2026-12-07T09:00:00.000Z' });
    await rejects(read('00000000-0000-4000-8000-000000000000'), NotFoundError, 'id');
  });

  it('refuses awareness in the future or before discovery, naming awareAt, and writes nothing', async () => {
    await rejects(incidents.create(input({ awareAt: '2026-12-04T10:00:01.000Z' }), dpo), ValidationError, 'awareAt');
    await rejects(incidents.create(input({ awareAt: '2026-12-04T07:00:00.000Z' }), dpo), ValidationError, 'awareAt');
    await rejects(incidents.create(input({ occurredAt: '2026-12-04T08:30:00.000Z' }), dpo), ValidationError, 'discoveredAt');
    await rejects(incidents.create(input({ drill: true }), dpo), ValidationError, 'drill');
  });

  it('creates once per Idempotency-Key', async () => {
    const first = await incidents.create(input(), dpo, 'incident-key-1');
    const again = await incidents.create(input(), dpo, 'incident-key-1');
    expect(again.id).toBe(first.id);
    await rejects(incidents.create(input({ severity: 'low' }), dpo, 'incident-key-1'), IdempotencyKeyReusedError);
    const other = await incidents.create(input(), { ...dpo, actor: { id: 'admin-1', role: 'admin' as const } }, 'incident-key-1');
    expect(other.id).not.toBe(first.id);
  });

  it('lists newest first, by status and by drill', async () => {
    now = new Date(now.getTime() + 1000);
    const drill = await incidents.create(input({ source: 'drill', drill: true }), dpo);
    const drills = await incidents.list({ drill: true, limit: 100 }, dpo);
    expect(drills.items.map((i) => i.id)).toContain(drill.id);
    expect(drills.items.every((i) => i.drill)).toBe(true);
    const live = await incidents.list({ drill: false, status: 'open', limit: 100 }, dpo);
    expect(live.items.length).toBeGreaterThan(0);
    expect(live.items.every((i) => !i.drill && i.status === 'open')).toBe(true);
    const all = await incidents.list({ limit: 100 }, dpo);
    expect(all.items[0]?.id).toBe(drill.id);
    const created = all.items.map((i) => i.createdAt);
    expect(created).toEqual([...created].sort().reverse());
  });
});

describe('incident transitions (BR-4)', () => {
  it('moves on in order, recording each change with its reason', async () => {
    const created = await incidents.create(input(), dpo);
    await scope.start(created.id, { by: 'customers', customerIds: [] }, dpo);
    const assessed = await incidents.transition(created.id, { ...assess, reason: 'Logs reviewed' }, dpo, 1);
    expect(assessed).toMatchObject({ status: 'assessed', version: 2, assessment: { highRisk: false, intelligible: false, consequences: `Mail to ${SECRET}` } });
    const contained = await incidents.transition(created.id, { action: 'contain', measures: 'Share closed' }, dpo, 2);
    expect(contained.measures).toBe('Share closed');
    await rejects(incidents.transition(created.id, { action: 'notify' }, dpo), ConflictError, 'scope');
    finishScope(created.id);
    const notifying = await incidents.transition(created.id, { action: 'notify', reason: 'Tell them anyway' }, dpo);
    expect(notifying.status).toBe('notifying');
    expect(notificationStarts.filter((id) => id === created.id)).toHaveLength(1);
    const twice = await rejects(incidents.transition(created.id, { action: 'notify' }, dpo), ConflictError, 'action');
    expect(twice.extensions).toEqual({ allowedActions: ['remediate'] });
    const done = await incidents.transition(created.id, { action: 'remediate' }, dpo);
    expect(done.handlingEndedAt).toBe(now.toISOString());
    const closed = await incidents.transition(created.id, { action: 'close', lessons: 'Review shares monthly' }, dpo);
    expect(closed).toMatchObject({ status: 'closed', closedAt: now.toISOString(), lessons: 'Review shares monthly', version: 6 });
    expect(closed.history.map((h) => [h.action, h.from, h.to, h.reason])).toEqual([
      ['assess', 'open', 'assessed', 'Logs reviewed'],
      ['contain', 'assessed', 'contained', undefined],
      ['notify', 'contained', 'notifying', 'Tell them anyway'],
      ['remediate', 'notifying', 'remediated', undefined],
      ['close', 'remediated', 'closed', undefined],
    ]);
    await rejects(incidents.addStep(created.id, { action: 'Late step', owner: 'ops-1', dueOn: '2026-12-10' }, dpo), ConflictError, 'status');
  });

  it('answers an action out of order with 409 naming action, and changes nothing', async () => {
    const created = await incidents.create(input(), dpo);
    const error = await rejects(incidents.transition(created.id, { action: 'close', lessons: 'Too early' }, dpo), ConflictError, 'action');
    expect(error.extensions).toEqual({ allowedActions: ['assess'] });
    await rejects(incidents.transition(created.id, { action: 'contain', measures: 'x' }, dpo), ConflictError, 'action');
    expect(await read(created.id)).toMatchObject({ status: 'open', version: 1, history: [] });
  });

  it('keeps the incident open while a step is not done, and changes nothing', async () => {
    const incident = await remediated();
    const withStep = await incidents.addStep(incident.id, { action: `Call ${SECRET}`, owner: 'ops-1', dueOn: '2026-12-10' }, dpo);
    const step = withStep.steps[0]!;
    expect(step).toMatchObject({ action: `Call ${SECRET}`, owner: 'ops-1', status: 'open' });
    await rejects(incidents.transition(incident.id, { action: 'close', lessons: 'x' }, dpo), ConflictError, 'steps');
    expect(await read(incident.id)).toMatchObject({ status: 'remediated', version: withStep.version });
    await rejects(incidents.updateStep(incident.id, '00000000-0000-4000-8000-000000000000', { status: 'done' }, dpo), NotFoundError, 'stepId');
    const done = await incidents.updateStep(incident.id, step.id, { status: 'done', owner: 'ops-2' }, dpo, withStep.version);
    expect(done.steps[0]).toMatchObject({ status: 'done', owner: 'ops-2', doneAt: now.toISOString() });
    expect((await incidents.transition(incident.id, { action: 'close', lessons: 'Rotate owners' }, dpo)).status).toBe('closed');
  });

  it('closes with an unmet deadline only once it is explained', async () => {
    const incident = await remediated({ jurisdictions: ['EU'] });
    const error = await rejects(incidents.transition(incident.id, { action: 'close', lessons: 'x' }, dpo), ConflictError, 'deadlines');
    expect(error.extensions).toEqual({ obligations: ['gdpr-33'] });
    expect((await read(incident.id)).version).toBe(incident.version);
    const closed = await incidents.transition(incident.id, { action: 'close', lessons: 'Report sooner', explanations: { 'gdpr-33': 'Reported by phone, reference pending' } }, dpo);
    expect(closed.status).toBe('closed');
    expect(closed.deadlines.find((d) => d.obligation === 'gdpr-33')?.state).toBe('explained');
  });

  it('moves a deadline with its reason; an unknown obligation is 404', async () => {
    const created = await incidents.create(input({ jurisdictions: ['EU'] }), dpo);
    await rejects(incidents.changeDeadline(created.id, 'no-such', { dueAt: '2026-12-08T00:00:00.000Z', reason: 'x' }, dpo), NotFoundError, 'obligation');
    const moved = await incidents.changeDeadline(created.id, 'gdpr-33', { dueAt: '2026-12-08T00:00:00.000Z', reason: 'Agreed with the authority' }, dpo);
    expect(moved.deadlines.find((d) => d.obligation === 'gdpr-33')).toMatchObject({ dueAt: '2026-12-08T00:00:00.000Z', changed: { by: 'dpo-1', from: '2026-12-07T09:00:00.000Z' } });
  });

  it('acts only on the version read: a stale If-Match is 412, of two changes on one version one wins', async () => {
    const created = await incidents.create(input(), dpo);
    await rejects(incidents.transition(created.id, assess, dpo, 7), PreconditionFailedError);
    const withStep = await incidents.addStep(created.id, { action: 'Rotate keys', owner: 'ops-1', dueOn: '2026-12-10' }, dpo);
    const stepId = withStep.steps[0]!.id;
    const outcomes = await Promise.allSettled([
      incidents.updateStep(created.id, stepId, { status: 'in-progress' }, dpo, withStep.version),
      incidents.transition(created.id, assess, dpo, withStep.version),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect((outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(PreconditionFailedError);
    expect((await read(created.id)).version).toBe(withStep.version + 1);
    // Without If-Match, changes that meet are retried on the fresh version: both land.
    await Promise.all([
      incidents.addStep(created.id, { action: 'One', owner: 'ops-1', dueOn: '2026-12-10' }, dpo),
      incidents.addStep(created.id, { action: 'Two', owner: 'ops-1', dueOn: '2026-12-10' }, dpo),
    ]);
    expect((await read(created.id)).steps.map((s) => s.action)).toEqual(expect.arrayContaining(['Rotate keys', 'One', 'Two']));
  });
});

describe('drafts from the detector (SEC-6)', () => {
  it('opens one draft per finding with its scope, and a second call starts nothing', async () => {
    const draft = { findingId: 'finding-1', rule: 'reads-per-hour', actor: 'agent-7', from: '2026-12-04T07:00:00.000Z', to: '2026-12-04T09:30:00.000Z', detectedAt: '2026-12-04T09:10:00.000Z' };
    const first = await incidents.openDraft(draft, detector);
    expect(first).toEqual({ id: draftIdOf('finding-1'), created: true });
    const starts = scopeStarts.filter((s) => s.id === first.id);
    expect(starts).toEqual([{ id: first.id, source: { by: 'actor', actor: 'agent-7', from: draft.from, to: draft.to } }]);
    expect(await incidents.openDraft(draft, detector)).toEqual({ id: first.id, created: false });
    expect(scopeStarts.filter((s) => s.id === first.id)).toHaveLength(1);
    const shown = await read(first.id);
    expect(shown).toMatchObject({ source: 'detector', draft: true, findingId: 'finding-1', awareAt: draft.detectedAt, discoveredAt: draft.detectedAt, occurredAt: draft.from, status: 'open' });
    const assessed = await incidents.transition(first.id, { ...assess, awareAt: '2026-12-04T09:40:00.000Z', reason: 'Confirmed on review' }, dpo);
    expect(assessed).toMatchObject({ draft: false, awareAt: '2026-12-04T09:40:00.000Z' });
  });

  it('starts the scope of a draft written without one (a failure between the two) on the next call', async () => {
    const draft = { findingId: 'finding-2', rule: 'read-rate', actor: 'agent-8', from: '2026-12-04T07:00:00.000Z', to: '2026-12-04T09:30:00.000Z', detectedAt: '2026-12-04T09:10:00.000Z' };
    const failing: IncidentScopes = { ...scope, start: async () => Promise.reject(new Error('queue down')) };
    const once = new IncidentService({ ...deps, scope: failing });
    await expect(once.openDraft(draft, detector)).rejects.toThrow('queue down');
    expect(await incidents.openDraft(draft, detector)).toEqual({ id: draftIdOf('finding-2'), created: false });
    expect(scopeStarts.filter((s) => s.id === draftIdOf('finding-2'))).toHaveLength(1);
    expect(await incidents.openDraft(draft, detector)).toEqual({ id: draftIdOf('finding-2'), created: false });
    expect(scopeStarts.filter((s) => s.id === draftIdOf('finding-2'))).toHaveLength(1);
  });
});

describe('storage', () => {
  it('keeps no title, description or other free text in the clear', async () => {
    const items = await scanAll(client, prefix);
    expect(items.some((item) => JSON.stringify(item).includes('"incident"'))).toBe(true);
    const raw = JSON.stringify(items);
    expect(raw).not.toContain('Wang Fang');
    expect(raw).not.toContain('王芳');
    expect(raw).not.toContain('Share closed');
    expect(raw).not.toContain('Logs reviewed');
    expect(raw).not.toContain('Rotate keys');
    expect(raw).not.toContain('Agreed with the authority');
  });
});
