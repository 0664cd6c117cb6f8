import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { ConflictError, NotFoundError, UnavailableError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type QueryPage, type Store } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { jurisdictionOf } from './jurisdictions.js';
import { incidentKey } from './keys.js';
import { presentRun, ScopeRepository, type AffectedCustomer, type ScopeRunFields } from './scope-repository.js';
import { MAX_EXPLICIT_CUSTOMERS, readSource, type ActorEntries, type PartnerShares, type SegmentListing, type SourcePage } from './scope-sources.js';
import type { IncidentRecord, IncidentStatus, Jurisdiction, ScopeCounts, ScopeRun, ScopeSource } from './types.js';

/**
 * New affected customers written per page: with the run item and the counter shard the
 * transaction stays under DynamoDB's 100 writes.
 */
export const SCOPE_PAGE_WRITES = 90;
/** Statuses an incident may be scoped in: once notifying, the set the notices go to is fixed. */
const SCOPABLE: ReadonlySet<IncidentStatus> = new Set(['open', 'assessed', 'contained']);
const PAGE_ATTEMPTS = 3;
const START_ATTEMPTS = 3;
const RESUME_MAX = 1_000;
const AFFECTED_PAGE_DEFAULT = 50;
const AFFECTED_PAGE_MAX = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Where an erased or missing customer lives is no longer known: counted apart, under no law's jurisdiction. */
export const UNKNOWN_REGION = 'unknown';

/** What the scope needs of the incident record (IncidentRepository). */
export interface ScopeIncidents {
  find(id: string): Promise<Pick<IncidentRecord, 'id' | 'status' | 'dataCategories' | 'version'> | undefined>;
}

/** Stored profiles by id (CustomerRepository): the region is a clear classification field, nothing sealed is opened. */
export interface ScopeProfiles {
  findMany(ids: string[]): Promise<Array<{ id: string; region?: string; erasure?: unknown }>>;
}

export interface ScopeServiceDeps {
  store: Store;
  repository: ScopeIncidents;
  audit: AuditTrail;
  auditEntries: ActorEntries;
  shares: PartnerShares;
  customers: SegmentListing & ScopeProfiles;
  events: EventPublisher;
  clock: Clock;
  onPublishFailure?: (error: unknown, events: DomainEvent[]) => void;
}

export type ScopePageOutcome = { outcome: 'page' | 'done' | 'raced'; added?: number };

const audited = (action: string, incidentId: string) => ({ action, target: { type: 'incident', id: incidentId } });

/**
 * The affected customers of an incident (BR-1), found by a job: each run reads one source
 * (an actor's audit trail in a window, a partner's shares in a window, a segment of the
 * customer listing, an explicit list) a page per queue message, adds the customers not yet
 * in the incident's affected set and counts them by region, jurisdiction and data category.
 * Ids stay pseudonymous; no sealed field is opened.
 */
export class ScopeService {
  private readonly scopes: ScopeRepository;

  constructor(private readonly deps: ScopeServiceDeps) {
    this.scopes = new ScopeRepository(deps.store);
  }

  /** Starts a run (its first page goes through the queue); refused once the incident is notifying (409 `status`). */
  async start(incidentId: string, source: ScopeSource, context: AuditContext): Promise<ScopeRun> {
    const checked = checkSource(source);
    for (let attempt = 1; ; attempt++) {
      const incident = await this.deps.repository.find(incidentId);
      if (!incident) throw new NotFoundError('No incident has this id.', 'id');
      if (!SCOPABLE.has(incident.status)) throw new ConflictError(`A ${incident.status} incident's scope is fixed; runs start while it is open, assessed or contained.`, 'status');
      const at = this.deps.clock.now().toISOString();
      const run: ScopeRunFields = { id: randomUUID(), incidentId, source: checked, state: 'running', read: 0, added: 0, pages: 0, startedAt: at, startedBy: context.actor.id, updatedAt: at, version: 1 };
      try {
        // Conditional on the incident as read: a run cannot slip in beside the notify that fixes the set.
        await this.deps.audit.commit(context, [audited('incident.scope', incidentId)], [
          { op: 'check', table: dataTable.name, key: incidentKey(incidentId), condition: { kind: 'version', version: incident.version }, label: 'incident' },
          this.scopes.runWrite(run),
        ]);
      } catch (error) {
        if (error instanceof ConditionFailedError && error.labels.includes('incident') && attempt < START_ATTEMPTS) continue;
        if (error instanceof ConditionFailedError && error.labels.includes('incident')) throw new ConflictError('The incident changed while the run was started; try again.', 'status');
        throw error;
      }
      await this.publish([pageEvent(incidentId, run.id, at)]);
      return presentRun(run);
    }
  }

  /**
   * One page of a run (the queue's `IncidentScopePage`): the customers the source names after
   * the run's position, less those in the affected set already, at most SCOPE_PAGE_WRITES of
   * them written (the rest carried on the run), with the new position and the counters in one
   * transaction conditional on the run's version. A page run twice at once moves the run once
   * (`raced`); a customer another run added meanwhile makes the page read again.
   */
  async runPage(incidentId: string, runId: string): Promise<ScopePageOutcome> {
    for (let attempt = 1; attempt <= PAGE_ATTEMPTS; attempt++) {
      const run = await this.scopes.findRun(incidentId, runId);
      if (!run || run.state === 'done') return { outcome: 'done' };
      const incident = await this.deps.repository.find(incidentId);
      if (!incident || !SCOPABLE.has(incident.status)) {
        // Notifying began (or the incident is gone): the affected set is fixed, and a
        // customer added now would get no notice. The run ends with what it found.
        const at = this.deps.clock.now().toISOString();
        const { cursor: _cursor, carry: _carry, sourceDone: _done, ...fields } = run;
        try {
          await this.deps.store.transact([this.scopes.runWrite({ ...fields, state: 'done', finishedAt: at, updatedAt: at, version: run.version + 1 }, run.version)]);
        } catch (error) {
          if (!(error instanceof ConditionFailedError)) throw error;
          return { outcome: 'raced' };
        }
        return { outcome: 'done' };
      }
      const step = await this.step(run);
      const ids = [...new Set(step.customerIds)];
      const present = await this.scopes.presentAmong(incidentId, ids);
      const fresh = ids.filter((id) => !present.has(id));
      const batch = fresh.slice(0, SCOPE_PAGE_WRITES);
      const at = this.deps.clock.now().toISOString();
      const added = await this.placed(batch, at);
      const next = advance(run, step, fresh.slice(SCOPE_PAGE_WRITES), added.length, at);
      try {
        await this.deps.store.transact([
          // The incident as read: a notify committed meanwhile makes the page read it again, and stop.
          { op: 'check', table: dataTable.name, key: incidentKey(incidentId), condition: { kind: 'version', version: incident.version }, label: 'incident' },
          this.scopes.runWrite(next, run.version),
          ...added.map((customer) => this.scopes.affectedWrite(incidentId, runId, customer)),
          ...(added.length ? [this.scopes.statsAdd(incidentId, `${runId}#${run.pages}`, added, incident?.dataCategories ?? [])] : []),
        ]);
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        if (error.labels.includes('scope-run')) return { outcome: 'raced' };
        // Only an affected item was there: another run of this incident added that customer since the read.
        continue;
      }
      if (next.state === 'running') await this.publish([pageEvent(incidentId, runId, at)]);
      return { outcome: next.state === 'done' ? 'done' : 'page', added: added.length };
    }
    // Runs of one incident kept adding the same customers: the message is retried.
    throw new UnavailableError('store');
  }

  /** The incident's runs, oldest first. */
  async runs(incidentId: string): Promise<ScopeRun[]> {
    return (await this.scopes.runs(incidentId)).map(presentRun);
  }

  /** The affected set's counts, summed from its counter shards. */
  counts(incidentId: string): Promise<ScopeCounts> {
    return this.scopes.counts(incidentId);
  }

  /** The affected customers by pseudonymous id (audited `incident.affected.read`). */
  async affected(
    incidentId: string,
    page: { limit?: number; cursor?: string },
    context: AuditContext,
  ): Promise<QueryPage<{ customerId: string; region: string; jurisdiction: Jurisdiction; addedAt: string }>> {
    if (!(await this.deps.repository.find(incidentId))) throw new NotFoundError('No incident has this id.', 'id');
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? AFFECTED_PAGE_DEFAULT), 1), AFFECTED_PAGE_MAX);
    const result = await this.scopes.affected(incidentId, { limit, ...(page.cursor !== undefined ? { cursor: page.cursor } : {}) });
    await this.deps.audit.record(context, [audited('incident.affected.read', incidentId)]);
    return result;
  }

  /** Running runs without a page for `olderThanMs`: their page message is sent again (a crash, a lost message). */
  async resumeStalled(olderThanMs: number): Promise<{ resumed: number }> {
    const now = this.deps.clock.now();
    const cutoff = new Date(now.getTime() - olderThanMs).toISOString();
    const stalled: ScopeRunFields[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.scopes.stalled(cutoff, { limit: 100, ...(cursor ? { cursor } : {}) });
      stalled.push(...page.items);
      cursor = page.cursor;
    } while (cursor && stalled.length < RESUME_MAX);
    if (stalled.length) await this.publish(stalled.map((run) => pageEvent(run.incidentId, run.id, now.toISOString())));
    return { resumed: stalled.length };
  }

  /** What a page works on: the carried customers first, else the source's next page. */
  private async step(run: ScopeRunFields): Promise<SourcePage & { sourceDone: boolean }> {
    if (run.carry?.length) return { customerIds: run.carry, read: 0, ...(run.cursor !== undefined ? { cursor: run.cursor } : {}), sourceDone: run.sourceDone === true };
    const page = await readSource(this.deps, run.source, run.cursor);
    return { ...page, sourceDone: page.cursor === undefined };
  }

  /**
   * Each customer with their region from the stored profile. A customer erased or gone
   * since is still affected (the data was read or shared before the erasure), counted under
   * region `unknown` and no jurisdiction's law (OTHER).
   */
  private async placed(customerIds: string[], at: string): Promise<AffectedCustomer[]> {
    if (!customerIds.length) return [];
    const profiles = new Map((await this.deps.customers.findMany(customerIds)).map((profile) => [profile.id, profile]));
    return customerIds.map((customerId) => {
      const profile = profiles.get(customerId);
      const region = profile && !profile.erasure && profile.region ? profile.region : UNKNOWN_REGION;
      return { customerId, region, jurisdiction: region === UNKNOWN_REGION ? 'OTHER' : jurisdictionOf(region), addedAt: at };
    });
  }

  /** Publishes; a failure is reported, not thrown: the resume sweep sends a stalled run's page again. */
  private async publish(events: DomainEvent[]): Promise<void> {
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      if (this.deps.onPublishFailure) this.deps.onPublishFailure(error, events);
      else console.error(JSON.stringify({ level: 'ERROR', message: 'incident scope events not published', types: [...new Set(events.map((e) => e.type))], causeName: (error as Error).name }));
    }
  }
}

const pageEvent = (incidentId: string, runId: string, at: string): DomainEvent => ({ type: 'IncidentScopePage', id: randomUUID(), at, detail: { incidentId, runId } });

/** The run after a page: its new position and carry, done once the source and the carry are both used up. */
function advance(run: ScopeRunFields, step: SourcePage & { sourceDone: boolean }, carry: string[], added: number, at: string): ScopeRunFields {
  const { cursor: _cursor, carry: _carry, sourceDone: _done, ...fields } = run;
  const next: ScopeRunFields = { ...fields, read: run.read + step.read, added: run.added + added, pages: run.pages + 1, updatedAt: at, version: run.version + 1 };
  if (step.cursor !== undefined) next.cursor = step.cursor;
  if (carry.length) return { ...next, carry, ...(step.sourceDone ? { sourceDone: true } : {}) };
  if (step.sourceDone) return { ...next, state: 'done', finishedAt: at };
  return next;
}

/** The source as stored: a window in order, an explicit list of customer ids (UUIDs) without repeats. */
function checkSource(source: ScopeSource): ScopeSource {
  switch (source.by) {
    case 'actor':
    case 'partner': {
      const name = source.by === 'actor' ? 'actor' : 'partnerId';
      const subject = source.by === 'actor' ? source.actor : source.partnerId;
      if (!subject) throw new ValidationError(`The ${name} is required.`, [{ field: name, message: 'must not be empty' }]);
      if (Number.isNaN(Date.parse(source.from))) throw new ValidationError('The window needs a start.', [{ field: 'from', message: 'must be a date-time' }]);
      if (Number.isNaN(Date.parse(source.to))) throw new ValidationError('The window needs an end.', [{ field: 'to', message: 'must be a date-time' }]);
      if (source.from > source.to) throw new ValidationError('The window ends before it starts.', [{ field: 'to', message: 'must not be before from' }]);
      return source;
    }
    case 'segment':
      return { by: 'segment', segment: { ...source.segment } };
    case 'customers': {
      const ids = [...new Set(source.customerIds)];
      if (!ids.length || ids.length > MAX_EXPLICIT_CUSTOMERS) {
        throw new ValidationError(`An explicit list names 1 to ${MAX_EXPLICIT_CUSTOMERS} customers.`, [{ field: 'customerIds', message: `must hold 1 to ${MAX_EXPLICIT_CUSTOMERS} ids` }]);
      }
      const bad = source.customerIds.findIndex((id) => !UUID.test(id));
      if (bad >= 0) throw new ValidationError('A customer id is a UUID.', [{ field: `customerIds.${bad}`, message: 'must be a customer id (UUID)' }]);
      return { by: 'customers', customerIds: ids };
    }
  }
}
