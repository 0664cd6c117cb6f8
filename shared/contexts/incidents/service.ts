import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type QueryPage, type Write } from '../../platform/ports/index.js';
import { canonicalJson, hmac, IdempotencyKeyReusedError } from '../customers/index.js';
import { uuidOf } from '../surveys/index.js';
import { deadlinesOf, effectiveGrade, type DeadlineFacts } from './obligations.js';
import { noteKeys, toIncident } from './presenter.js';
import { incidentTimeIssues, MAX_STEPS, type AddStepInput, type ChangeDeadlineInput, type CreateIncidentInput, type IncidentTransitionInput, type UpdateStepInput } from './schemas.js';
import { applyTransition } from './transitions.js';
import type { IncidentServiceDeps } from './service-deps.js';
import type { DraftIncidentInput, Incident, IncidentRecord, IncidentStatus } from './types.js';

const DEFAULT_PAGE = 50;
const DEFAULT_IDEMPOTENCY_TTL = 86_400;
/** Tries of a change sent without If-Match that meets another change in between. */
const WRITE_ATTEMPTS = 3;
const audited = (action: string, id: string) => ({ action, target: { type: 'incident', id } });

/** The id of the draft a finding opens: the same finding never opens two. */
export const draftIdOf = (findingId: string) => uuidOf(`incident-finding:${findingId}`);

/**
 * Breach incidents (BR-1, BR-4): recorded, assessed, contained, notified, remediated, closed.
 * Each change is one transaction with its audit entry, conditional on the version it
 * replaces; the free text is sealed under the incident's own data key.
 */
export class IncidentService {
  constructor(private readonly deps: IncidentServiceDeps) {}

  /** A new incident, open; its legal clocks run from `awareAt`. */
  async create(input: CreateIncidentInput, context: AuditContext, idempotencyKey?: string): Promise<Incident> {
    const now = this.deps.clock.now();
    const issues = incidentTimeIssues(input, now);
    if (issues.length) throw new ValidationError(`Invalid body: ${issues.map((i) => i.field).join(', ')}.`, issues);
    if ((input.source === 'drill') !== (input.drill === true)) throw new ValidationError('Invalid body: drill.', [{ field: 'drill', message: 'must be true exactly when the source is drill' }]);
    const idempotency = idempotencyKey ? await this.idempotency(context, idempotencyKey, input) : undefined;
    if (idempotency) {
      const replay = await this.replay(idempotency, context);
      if (replay) return replay;
    }
    const at = now.toISOString();
    const record: IncidentRecord = {
      ...this.blank(randomUUID(), at, context.actor.id),
      source: input.source,
      drill: input.drill === true,
      occurredAt: input.occurredAt,
      discoveredAt: input.discoveredAt,
      awareAt: input.awareAt,
      dataCategories: input.dataCategories ?? [],
      systems: input.systems ?? [],
      jurisdictions: input.jurisdictions ?? [],
      severity: input.severity,
      text: { title: input.title, description: input.description, notes: {} },
    };
    const extra: Write[] = [];
    if (idempotency) {
      const expiresAt = Math.floor(now.getTime() / 1000) + (this.deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL);
      extra.push(this.deps.repository.idempotencyWrite(idempotency.scope, { incidentId: record.id, requestHash: idempotency.requestHash, expiresAt }));
    }
    try {
      await this.insert(record, context, extra);
    } catch (error) {
      const replay = error instanceof ConditionFailedError && idempotency ? await this.replay(idempotency, context) : undefined;
      if (replay) return replay;
      throw error;
    }
    return this.present(record);
  }

  /**
   * The draft a security finding opens (SEC-6), once per finding, and its scope: the actor's
   * reads in the window. A repeated call answers `created: false` and starts nothing.
   */
  async openDraft(input: DraftIncidentInput, context: AuditContext): Promise<{ id: string; created: boolean }> {
    const id = draftIdOf(input.findingId);
    const scope = { by: 'actor' as const, actor: input.actor, from: input.from, to: input.to };
    if (await this.deps.repository.find(id)) {
      // A draft whose scope did not start (a failure right after it was written) gets it now.
      if (!(await this.deps.scope.runs(id)).length) await this.deps.scope.start(id, scope, context);
      return { id, created: false };
    }
    const record: IncidentRecord = {
      ...this.blank(id, this.deps.clock.now().toISOString(), context.actor.id),
      source: 'detector',
      draft: true,
      // A finding on a drill account opens a drill: the same path, its notices to the drill sink.
      drill: input.drill === true,
      findingId: input.findingId,
      occurredAt: input.from <= input.detectedAt ? input.from : input.detectedAt,
      discoveredAt: input.detectedAt,
      awareAt: input.detectedAt,
      severity: 'high',
      text: {
        title: `Unusual access: ${input.rule}`,
        description: `Opened from security finding ${input.findingId} (rule ${input.rule}) for the reads of ${input.actor} from ${input.from} to ${input.to}. Assess it: confirm or correct the awareness time, the scope and the risk.`,
        notes: {},
      },
    };
    try {
      await this.insert(record, context, []);
    } catch (error) {
      if (error instanceof ConditionFailedError) return { id, created: false };
      throw error;
    }
    await this.deps.scope.start(id, scope, context);
    return { id, created: true };
  }

  /** Incidents, newest first, by status and drill or not; each as `get` shows it. */
  async list(query: { status?: IncidentStatus; drill?: boolean; limit?: number; cursor?: string }, context: AuditContext): Promise<QueryPage<Incident>> {
    const filters = { ...(query.status ? { status: query.status } : {}), ...(query.drill !== undefined ? { drill: query.drill } : {}) };
    const result = await this.deps.repository.list(filters, { limit: query.limit ?? DEFAULT_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) });
    const items = await Promise.all(result.items.map((record) => this.present(record)));
    if (items.length) await this.deps.audit.record(context, items.map((i) => audited('incident.read', i.id)));
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  async get(id: string, context: AuditContext): Promise<Incident> {
    const record = await this.load(id);
    const incident = await this.present(record);
    await this.deps.audit.record(context, [audited('incident.read', id)]);
    return incident;
  }

  /** assess, contain, notify, remediate, close (transitions.ts); `ifMatch` the version read (412 when stale). */
  async transition(id: string, input: IncidentTransitionInput, context: AuditContext, ifMatch?: number): Promise<Incident> {
    return this.change(id, 'incident.transition', context, ifMatch, async (record, at) => {
      const [facts, runs] = await Promise.all([this.facts(record, at), this.deps.scope.runs(id)]);
      const next = applyTransition(record, input, { at, by: context.actor.id, facts, runs });
      if (input.action === 'notify') {
        // A notify retried after its run started (the record's save lost a race) does not start it twice.
        if (facts.notifications.state === 'not-started') await this.deps.notifications.start(id, context);
      }
      return next;
    });
  }

  /** Moves a deadline, with the reason (readable by the DPO); the obligation must be one the incident is held to. */
  async changeDeadline(id: string, obligation: string, input: ChangeDeadlineInput, context: AuditContext): Promise<Incident> {
    return this.change(id, 'incident.deadline', context, undefined, async (record, at) => {
      this.unclosed(record);
      const facts = await this.facts(record, at);
      const deadline = deadlinesOf(record, facts).find((d) => d.obligation === obligation);
      if (!deadline) throw new NotFoundError('The incident is held to no obligation of this id.', 'obligation');
      if (deadline.dueAt === undefined) throw new ConflictError("The deadline's clock has not started; it cannot be moved yet.", 'obligation');
      const when = at.toISOString();
      const notes = { ...record.text.notes };
      let { deadlineChanges, explanations } = record;
      if (input.dueAt !== undefined && input.reason !== undefined) {
        const from = record.deadlineChanges[obligation]?.from ?? deadline.dueAt;
        deadlineChanges = { ...deadlineChanges, [obligation]: { dueAt: input.dueAt, from, at: when, by: context.actor.id } };
        notes[noteKeys.deadline(obligation)] = input.reason;
      }
      if (input.explanation !== undefined) {
        explanations = { ...explanations, [obligation]: { at: when, by: context.actor.id } };
        notes[noteKeys.explain(obligation)] = input.explanation;
      }
      return { ...record, deadlineChanges, explanations, text: { ...record.text, notes }, updatedAt: when, version: record.version + 1 };
    });
  }

  /** A remediation step (BR-4): its action sealed. */
  async addStep(id: string, input: AddStepInput, context: AuditContext): Promise<Incident> {
    return this.change(id, 'incident.step', context, undefined, async (record, at) => {
      this.unclosed(record);
      if (record.steps.length >= MAX_STEPS) throw new ConflictError(`An incident has at most ${MAX_STEPS} steps.`, 'steps');
      const stepId = randomUUID();
      const when = at.toISOString();
      return {
        ...record,
        steps: [...record.steps, { id: stepId, owner: input.owner, dueOn: input.dueOn, status: 'open', updatedAt: when }],
        text: { ...record.text, notes: { ...record.text.notes, [noteKeys.step(stepId)]: input.action } },
        updatedAt: when,
        version: record.version + 1,
      };
    });
  }

  async updateStep(id: string, stepId: string, input: UpdateStepInput, context: AuditContext, ifMatch?: number): Promise<Incident> {
    return this.change(id, 'incident.step', context, ifMatch, async (record, at) => {
      this.unclosed(record);
      const step = record.steps.find((s) => s.id === stepId);
      if (!step) throw new NotFoundError('The incident has no step of this id.', 'stepId');
      const when = at.toISOString();
      const { doneAt: _doneAt, ...rest } = step;
      const changed = {
        ...rest,
        status: input.status,
        ...(input.owner !== undefined ? { owner: input.owner } : {}),
        ...(input.dueOn !== undefined ? { dueOn: input.dueOn } : {}),
        ...(input.status === 'done' ? { doneAt: step.doneAt ?? when } : {}),
        updatedAt: when,
      };
      return { ...record, steps: record.steps.map((s) => (s.id === stepId ? changed : s)), updatedAt: when, version: record.version + 1 };
    });
  }

  /** The incident as shown: its scope, notification progress, deadlines, grade and timings read or computed now. */
  async present(record: IncidentRecord): Promise<Incident> {
    const [runs, facts] = await Promise.all([this.deps.scope.runs(record.id), this.facts(record, this.deps.clock.now())]);
    return toIncident(record, { runs, counts: facts.counts, notifications: facts.notifications, deadlines: deadlinesOf(record, facts), grade: effectiveGrade(record, facts.counts) });
  }

  private async facts(record: IncidentRecord, now: Date): Promise<DeadlineFacts> {
    const [counts, notifications] = await Promise.all([this.deps.scope.counts(record.id), this.deps.notifications.progress(record.id)]);
    return { counts, notifications, now, obligations: this.deps.obligations, operatorType: this.deps.operatorType };
  }

  /** A change of the record, audited, conditional on the version read; retried when no If-Match was sent. */
  private async change(id: string, action: string, context: AuditContext, ifMatch: number | undefined, make: (record: IncidentRecord, at: Date) => Promise<IncidentRecord>): Promise<Incident> {
    for (let attempt = 1; ; attempt += 1) {
      const record = await this.load(id);
      if (ifMatch !== undefined && ifMatch !== record.version) throw new PreconditionFailedError('The incident changed since the version sent; read it again.');
      const next = await make(record, this.deps.clock.now());
      try {
        await this.deps.audit.commit(context, [audited(action, id)], [await this.deps.repository.updateWrite(next, record.version)]);
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        if (ifMatch === undefined && attempt < WRITE_ATTEMPTS) continue;
        throw new PreconditionFailedError('The incident changed meanwhile; read it again.', 'id');
      }
      return this.present(next);
    }
  }

  private async insert(record: IncidentRecord, context: AuditContext, extra: Write[]): Promise<void> {
    const { writes, remember } = await this.deps.repository.createWrites(record);
    await this.deps.audit.commit(context, [audited('incident.create', record.id)], [...writes, ...extra]);
    remember();
  }

  private blank(id: string, at: string, by: string): Omit<IncidentRecord, 'source' | 'occurredAt' | 'discoveredAt' | 'awareAt' | 'severity' | 'text'> {
    return {
      id,
      draft: false,
      drill: false,
      dataCategories: [],
      systems: [],
      jurisdictions: [],
      status: 'open',
      steps: [],
      history: [],
      deadlineChanges: {},
      explanations: {},
      met: {},
      alerted: {},
      createdAt: at,
      createdBy: by,
      updatedAt: at,
      version: 1,
    };
  }

  private unclosed(record: IncidentRecord): void {
    if (record.status === 'closed') throw new ConflictError('The incident is closed; it no longer changes.', 'status');
  }

  private async load(id: string): Promise<IncidentRecord> {
    const record = await this.deps.repository.find(id);
    if (!record) throw new NotFoundError('No incident has this id.', 'id');
    return record;
  }

  private async idempotency(context: AuditContext, idempotencyKey: string, input: CreateIncidentInput) {
    const indexKey = await this.deps.keys.indexKey();
    return { scope: hmac(indexKey, `incident\n${context.actor.id}\n${idempotencyKey}`), requestHash: hmac(indexKey, canonicalJson(input)) };
  }

  private async replay(idempotency: { scope: string; requestHash: string }, context: AuditContext): Promise<Incident | undefined> {
    const earlier = await this.deps.repository.findIdempotency(idempotency.scope, this.deps.clock.now());
    if (!earlier) return undefined;
    if (earlier.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReusedError();
    return this.get(earlier.incidentId, context);
  }
}
