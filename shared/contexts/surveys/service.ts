import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../platform/errors/index.js';
import { ConditionFailedError, type QueryPage, type Write } from '../../platform/ports/index.js';
import { canonicalJson, hmac, IdempotencyKeyReusedError } from '../customers/index.js';
import { definitionOf, fieldsOf, strip, viewOf, withHead, type SurveyServiceDeps, type SurveyView } from './definitions.js';
import type { CreateSurveyInput, ListSurveysQuery, SurveyTransitionInput, UpdateSurveyInput } from './schemas.js';
import type { SurveyDefinition, SurveyHead, SurveyHeadItem } from './survey-repository.js';
import { MAX_WAVES, type Survey } from './types.js';

const DEFAULT_PAGE = 50;
const DEFAULT_IDEMPOTENCY_TTL = 86_400;
/** Tries of a write sent without If-Match (or of a wave recorded) that meets another write in between. */
const WRITE_ATTEMPTS = 3;
const audited = (action: string, id: string) => ({ action, target: { type: 'survey', id } });
type Head = SurveyHeadItem;
type Change = { head: SurveyHead; writes: Write[]; answer: SurveyView };

/**
 * Survey definitions (SAT-1): a draft changes until published; a published version never
 * does, a new version is drafted from it and published in its place. Every change is one
 * transaction with its audit entry, conditional on the head it replaces.
 */
export class SurveyService {
  constructor(private readonly deps: SurveyServiceDeps) {}

  /** A new survey: a draft, version 1. */
  async create(input: CreateSurveyInput, context: AuditContext, idempotencyKey?: string): Promise<{ survey: SurveyView; replayed: boolean }> {
    const idempotency = idempotencyKey ? await this.idempotency(context, idempotencyKey, input) : undefined;
    if (idempotency) {
      const replay = await this.replay(idempotency, context);
      if (replay) return { survey: replay, replayed: true };
    }
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const id = randomUUID();
    const definition: SurveyDefinition = { id, version: 1, status: 'draft', ...fieldsOf(input), createdAt: at, createdBy: context.actor.id, updatedAt: at, updatedBy: context.actor.id };
    const view: Survey = { ...definition, waves: [], etag: 1 };
    const writes = [this.deps.repository.headWrite({ id, status: 'draft', view, draftVersion: 1, latestVersion: 1, version: 1 }), this.deps.repository.versionWrite(definition, true)];
    if (idempotency) {
      const expiresAt = Math.floor(now.getTime() / 1000) + (this.deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL);
      writes.push(this.deps.repository.idempotencyWrite(idempotency.scope, { surveyId: id, requestHash: idempotency.requestHash, expiresAt }));
    }
    try {
      await this.deps.audit.commit(context, [audited('survey.create', id)], writes);
    } catch (error) {
      const replay = error instanceof ConditionFailedError && idempotency ? await this.replay(idempotency, context) : undefined;
      if (replay) return { survey: replay, replayed: true };
      throw error;
    }
    return { survey: view, replayed: false };
  }

  /** Surveys, newest first; each as `get` shows it. */
  async list(query: ListSurveysQuery, context: AuditContext): Promise<QueryPage<SurveyView>> {
    const page = { limit: query.limit ?? DEFAULT_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) };
    const result = await this.deps.repository.list(page, query.status);
    const items = result.items.map(viewOf);
    if (items.length) await this.deps.audit.record(context, items.map((s) => audited('survey.list', s.id)));
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /** The version in force, else the latest draft; or the version asked for. */
  async get(id: string, context: AuditContext, version?: number): Promise<SurveyView> {
    const head = await this.load(id);
    let survey: SurveyView = viewOf(head);
    if (version !== undefined && version !== head.view.version) {
      const definition = await this.deps.repository.version(id, version);
      if (!definition) throw new NotFoundError('The survey has no such version.', 'version');
      survey = withHead(definition, head);
    }
    await this.deps.audit.record(context, [audited('survey.read', id)]);
    return survey;
  }

  /** Changes the draft version; `expectedEtag` from If-Match. No draft: 409 (draft a new version). */
  update(id: string, input: UpdateSurveyInput, context: AuditContext, expectedEtag?: number): Promise<SurveyView> {
    return this.change(id, 'survey.update', context, expectedEtag, async (head, at) => {
      if (head.status === 'archived') throw new ConflictError('The survey is archived; it cannot change.', 'status');
      if (head.draftVersion === undefined) throw new ConflictError('The survey has no draft: its published version cannot change; draft a new version.', 'version');
      const draft = await this.deps.repository.version(id, head.draftVersion);
      if (!draft) throw new NotFoundError('No survey has this id.', 'id');
      const next: SurveyDefinition = { ...draft, ...fieldsOf(input, draft), id, version: draft.version, status: 'draft', updatedAt: at, updatedBy: context.actor.id };
      const etag = head.view.etag + 1;
      const shown = head.view.version === draft.version ? { ...next, waves: head.view.waves, etag } : { ...head.view, etag, updatedAt: at, updatedBy: context.actor.id };
      const nextHead = { ...head, view: shown };
      return { head: nextHead, writes: [this.deps.repository.versionWrite(next, false)], answer: { ...withHead(next, nextHead), ...(shown.version !== next.version ? { draftVersion: next.version } : {}) } };
    });
  }

  /** Drafts a new version from the one in force; 409 when a draft exists already. */
  newVersion(id: string, context: AuditContext, expectedEtag?: number): Promise<SurveyView> {
    return this.change(id, 'survey.version', context, expectedEtag, async (head, at) => {
      if (head.status === 'archived') throw new ConflictError('The survey is archived; it cannot have a new version.', 'status');
      if (head.draftVersion !== undefined) throw new ConflictError(`Version ${head.draftVersion} is a draft already; change it.`, 'version');
      const published = head.view.publishedVersion !== undefined ? await this.deps.repository.version(id, head.view.publishedVersion) : undefined;
      if (!published) throw new ConflictError('The survey has no published version to draft from.', 'version');
      const version = head.latestVersion + 1;
      const draft: SurveyDefinition = { ...published, version, status: 'draft', createdAt: at, createdBy: context.actor.id, updatedAt: at, updatedBy: context.actor.id };
      delete draft.publishedAt;
      const etag = head.view.etag + 1;
      const nextHead = { ...head, view: { ...head.view, etag }, draftVersion: version, latestVersion: version };
      return { head: nextHead, writes: [this.deps.repository.versionWrite(draft, true)], answer: withHead(draft, nextHead) };
    });
  }

  /** `publish`: the draft becomes the version in force. `archive`: no more dispatches or answers. */
  transition(id: string, input: SurveyTransitionInput, context: AuditContext, expectedEtag?: number): Promise<SurveyView> {
    return this.change(id, `survey.${input.action}`, context, expectedEtag, async (head, at) => {
      if (head.status === 'archived') throw new ConflictError('The survey is archived.', 'action', { allowedActions: [] });
      const etag = head.view.etag + 1;
      if (input.action === 'archive') {
        const nextHead = { ...head, status: 'archived' as const, view: { ...head.view, status: 'archived' as const, etag, updatedAt: at, updatedBy: context.actor.id } };
        return { head: nextHead, writes: [], answer: viewOf(nextHead) };
      }
      if (head.draftVersion === undefined) throw new ConflictError('The survey has no draft to publish; draft a new version.', 'action', { allowedActions: ['archive'] });
      const draft = await this.deps.repository.version(id, head.draftVersion);
      if (!draft) throw new NotFoundError('No survey has this id.', 'id');
      const published: SurveyDefinition = { ...draft, status: 'published', publishedAt: at, updatedAt: at, updatedBy: context.actor.id };
      const view: Survey = { ...published, waves: head.view.waves, etag, publishedVersion: published.version };
      const { draftVersion: _d, ...rest } = head;
      const nextHead = { ...rest, status: 'published' as const, view };
      return { head: nextHead, writes: [this.deps.repository.versionWrite(published, false)], answer: view };
    });
  }

  /** A version of a survey (default: the one in force), for other services; unaudited. */
  async definition(id: string, version?: number): Promise<Survey | undefined> {
    const head = await this.deps.repository.head(id);
    if (!head) return undefined;
    const wanted = version ?? head.view.publishedVersion;
    if (wanted === undefined) return undefined;
    if (wanted === head.view.version) return withHead(definitionOf(head.view), head);
    const definition = await this.deps.repository.version(id, wanted);
    return definition && withHead(definition, head);
  }

  /** Every published survey, in its version in force (the listing paged through). */
  async published(): Promise<Survey[]> {
    const surveys: Survey[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.list({ limit: 100, ...(cursor ? { cursor } : {}) }, 'published');
      surveys.push(...page.items.map((head) => withHead(definitionOf(head.view), head)));
      cursor = page.cursor;
    } while (cursor);
    return surveys;
  }

  /** Records a dispatched wave on the survey (the last `MAX_WAVES` kept); once per wave. */
  async addWave(id: string, wave: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const head = await this.load(id);
      if (head.view.waves.includes(wave)) return;
      const view = { ...head.view, waves: [...head.view.waves, wave].slice(-MAX_WAVES) };
      try {
        await this.deps.store.transact([this.deps.repository.headWrite({ ...strip(head), view, version: head.version + 1 }, head.version)]);
        return;
      } catch (error) {
        if (!(error instanceof ConditionFailedError) || attempt >= WRITE_ATTEMPTS * 2) throw error;
      }
    }
  }

  /** A change of the head (and `writes`), audited, conditional on what was read; retried when no ETag was sent. */
  private async change(id: string, action: string, context: AuditContext, expectedEtag: number | undefined, make: (head: Head, at: string) => Promise<Change>): Promise<SurveyView> {
    for (let attempt = 1; ; attempt += 1) {
      const head = await this.load(id);
      if (expectedEtag !== undefined && expectedEtag !== head.view.etag) throw new PreconditionFailedError('The survey changed since the version sent; read it again.');
      const { head: next, writes, answer } = await make(head, this.deps.clock.now().toISOString());
      try {
        await this.deps.audit.commit(context, [audited(action, id)], [this.deps.repository.headWrite({ ...strip(next), version: head.version + 1 }, head.version), ...writes]);
        return answer;
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        // Only a head written in between fails here (a wave recorded, another change): an ETag sent must still match.
        if (attempt < WRITE_ATTEMPTS) continue;
        throw new PreconditionFailedError('The survey changed meanwhile; read it again.', 'id');
      }
    }
  }

  private async load(id: string): Promise<Head> {
    const head = await this.deps.repository.head(id);
    if (!head) throw new NotFoundError('No survey has this id.', 'id');
    return head;
  }

  private async idempotency(context: AuditContext, idempotencyKey: string, input: CreateSurveyInput) {
    const indexKey = await this.deps.keys.indexKey();
    return { scope: hmac(indexKey, `survey\n${context.actor.id}\n${idempotencyKey}`), requestHash: hmac(indexKey, canonicalJson(input)) };
  }

  private async replay(idempotency: { scope: string; requestHash: string }, context: AuditContext): Promise<SurveyView | undefined> {
    const earlier = await this.deps.repository.findIdempotency(idempotency.scope, this.deps.clock.now());
    if (!earlier) return undefined;
    if (earlier.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReusedError();
    return this.get(earlier.surveyId, context);
  }
}
