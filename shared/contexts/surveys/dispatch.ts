import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type Notifier, type QueryPage, type Store } from '../../platform/ports/index.js';
import { PurposeNotFoundError, type Purpose } from '../consent/index.js';
import { hmac, type CustomerService } from '../customers/index.js';
import { SURVEY_PURPOSE } from './audience.js';
import { progressCounter, type DispatchFields, type DispatchItem, type DispatchRepository } from './dispatch-repository.js';
import {
  InvitationMaker,
  InvitationSender,
  type CandidateProfiles,
  type CandidateTally,
  type DeliveryOutcome,
  type InvitationLinks,
  type InvitationRef,
  type SurveyConsent,
  type SurveyDefinitions,
} from './invitations.js';
import { quarterOf, WAVE_PATTERN } from './keys.js';
import { uuidOf } from './sampling.js';
import { skipReasons, type Dispatch, type DispatchProgress, type Segment, type SkipReason, type Survey } from './types.js';

/** Candidates read per page of a dispatch: each page is one message, one bounded piece of work. */
export const SURVEY_DISPATCH_PAGE = 100;
/** Unfinished dispatches handed on again per resume run, at most. */
const RESUME_MAX = 1_000;
const DAY_MS = 86_400_000;

/** The customer listing a segment is read from (CustomerRepository). */
export interface CustomerListing {
  list(filters: Array<{ name: string; equals?: string; contains?: string }>, page: { limit: number; cursor?: string }): Promise<QueryPage<{ id: string }>>;
}
/** The closed-complaints index ("complaint closed in the last N days", ComplaintRepository). */
export interface ClosedComplaints {
  closedSince(from: string, page: { limit: number; cursor?: string }): Promise<QueryPage<{ customerId: string }>>;
}

export interface SurveyDispatchDeps {
  store: Store;
  repository: DispatchRepository;
  definitions: SurveyDefinitions;
  consent: SurveyConsent;
  customers: CustomerListing & CandidateProfiles;
  complaints: ClosedComplaints;
  events: EventPublisher;
  audit: AuditTrail;
  clock: Clock;
  keys: Pick<DataKeyRing, 'indexKey'>;
  /** Sending: the answer links, the customer's contacts (opened for the send only), the notifier, where links point. */
  links: InvitationLinks;
  contacts: Pick<CustomerService, 'get'>;
  notifier: Notifier;
  linkBase: string;
  onPublishFailure?: (error: unknown, events: DomainEvent[]) => void;
}

export interface StartDispatchInput {
  segment?: Segment;
  sampleSize?: number;
  wave?: string;
}

export type PageOutcome = { outcome: 'done' } | { outcome: 'raced' } | { outcome: 'page'; state: Dispatch['state']; candidates: number; queued: number };

const audited = (action: string, surveyId: string) => ({ action, target: { type: 'survey', id: surveyId } });
const zeroProgress = (): DispatchProgress => ({ selected: 0, skipped: Object.fromEntries(skipReasons.map((r) => [r, 0])) as Record<SkipReason, number>, queued: 0, sent: 0, failed: 0 });

/**
 * Dispatches (SAT-2): a survey's invitations to a segment, built by a job a page at a time
 * (one queue message per page, the position stored with the page's counts), so a request
 * answers at once and no page holds more than `SURVEY_DISPATCH_PAGE` candidates. The
 * invitations themselves go out through the same queue (InvitationSender).
 */
export class SurveyDispatchService {
  private readonly maker: InvitationMaker;
  private readonly sender: InvitationSender;

  constructor(private readonly deps: SurveyDispatchDeps) {
    this.maker = new InvitationMaker({ store: deps.store, repository: deps.repository, profiles: deps.customers, consent: deps.consent, clock: deps.clock });
    this.sender = new InvitationSender({
      store: deps.store,
      repository: deps.repository,
      definitions: deps.definitions,
      links: deps.links,
      customers: deps.contacts,
      notifier: deps.notifier,
      clock: deps.clock,
      linkBase: deps.linkBase,
    });
  }

  /**
   * Sends one queued invitation (the queue's `SurveyInvitationQueued`), never twice. A send
   * that fails throws: retried, and at the last receive (`receive` ≥ `maxReceives`) the
   * invitation is counted as failed before the message goes to the DLQ.
   */
  deliver(ref: InvitationRef, delivery: { receive: number; maxReceives: number }): Promise<DeliveryOutcome> {
    return this.sender.deliver(ref, delivery);
  }

  /**
   * Starts a dispatch of the published version in force (202). With an Idempotency-Key the
   * same request answers the same dispatch; `id` fixes the dispatch's id (a scheduled wave).
   */
  async start(surveyId: string, input: StartDispatchInput, context: AuditContext, idempotencyKey?: string, cause: Dispatch['cause'] = 'request', id?: string): Promise<Dispatch> {
    const survey = await this.publishedSurvey(surveyId);
    await this.purpose();
    const now = this.deps.clock.now();
    const wave = input.wave ?? quarterOf(now);
    if (!WAVE_PATTERN.test(wave)) throw new ValidationError('The wave is not a valid label.', [{ field: 'wave', message: 'must be 1 to 32 letters, digits or dashes' }]);
    const dispatchId = id ?? (idempotencyKey ? uuidOf(hmac(await this.deps.keys.indexKey(), `survey-dispatch\n${context.actor.id}\n${surveyId}\n${idempotencyKey}`)) : randomUUID());
    if (id !== undefined || idempotencyKey) {
      const earlier = await this.deps.repository.find(dispatchId);
      if (earlier) return this.present(earlier);
    }
    const at = now.toISOString();
    const dispatch: DispatchFields = {
      id: dispatchId,
      surveyId,
      surveyVersion: survey.version,
      wave,
      segment: input.segment ?? {},
      ...(input.sampleSize !== undefined ? { sampleSize: input.sampleSize } : {}),
      cause,
      state: input.sampleSize !== undefined ? 'counting' : 'selecting',
      seen: 0,
      chosen: 0,
      pages: 0,
      createdAt: at,
      createdBy: context.actor.id,
      updatedAt: at,
      version: 1,
    };
    try {
      await this.deps.audit.commit(context, [audited('survey.dispatch', surveyId)], [this.deps.repository.write(dispatch)]);
    } catch (error) {
      const earlier = error instanceof ConditionFailedError ? await this.deps.repository.find(dispatchId) : undefined;
      if (earlier) return this.present(earlier);
      throw error;
    }
    await this.deps.definitions.addWave(surveyId, wave);
    await this.publish([pageEvent(dispatch, at)]);
    return { ...dispatch, progress: zeroProgress() };
  }

  /** A dispatch with its progress summed from its counter shards. */
  async get(surveyId: string, dispatchId: string, context: AuditContext): Promise<Dispatch> {
    const item = await this.deps.repository.find(dispatchId);
    if (!item || item.surveyId !== surveyId) throw new NotFoundError('This survey has no dispatch with this id.', 'dispatchId');
    await this.deps.audit.record(context, [audited('survey.dispatch.read', surveyId)]);
    return this.present(item);
  }

  /**
   * One page of a dispatch (the queue's `SurveyDispatchPage`): the candidates after the
   * stored cursor decided one by one, then the new position and the page's skip counts in one
   * transaction conditional on the version read (a page run twice at once moves it once; the
   * wave guards keep its invitations to one a customer), then the next page's message.
   */
  async runPage(dispatchId: string): Promise<PageOutcome> {
    const dispatch = await this.deps.repository.find(dispatchId);
    if (!dispatch || dispatch.state === 'done') return { outcome: 'done' };
    const survey = await this.deps.definitions.definition(dispatch.surveyId, dispatch.surveyVersion);
    const page = await this.candidates(dispatch);
    const tally: CandidateTally = survey
      ? await this.maker.consider(dispatch, survey, page.ids, { mode: dispatch.state === 'counting' ? 'count' : 'select', segment: dispatch.segment, purpose: await this.purpose() })
      : { skipped: {}, eligible: 0, seen: dispatch.seen, chosen: dispatch.chosen, queued: [] };
    await this.announce(dispatch, tally.queued);
    const at = this.deps.clock.now().toISOString();
    const next = advance(dispatch, tally, survey ? page.cursor : undefined, at);
    const skipped = skipCounters(tally);
    try {
      await this.deps.store.transact([
        this.deps.repository.write(next, dispatch.version),
        ...(Object.keys(skipped).length ? [this.deps.repository.progressAdd(dispatch.id, `${dispatch.id}#page#${dispatch.pages}#${dispatch.state}`, skipped)] : []),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return { outcome: 'raced' };
      throw error;
    }
    if (next.state !== 'done') await this.publish([pageEvent(next, at)]);
    return { outcome: 'page', state: next.state, candidates: page.ids.length, queued: tally.queued.length };
  }

  /** Unfinished dispatches without progress for `olderThanMs`: their page message is sent again (a crash, a lost message). */
  async resumeStalled(olderThanMs: number): Promise<{ resumed: number }> {
    const now = this.deps.clock.now();
    const cutoff = new Date(now.getTime() - olderThanMs).toISOString();
    const stalled: DispatchItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.unfinished(cutoff, { limit: SURVEY_DISPATCH_PAGE, ...(cursor ? { cursor } : {}) });
      stalled.push(...page.items);
      cursor = page.cursor;
    } while (cursor && stalled.length < RESUME_MAX);
    if (stalled.length) await this.publish(stalled.map((d) => pageEvent(d, now.toISOString())));
    return { resumed: stalled.length };
  }

  /** Each published survey with a quarterly recurrence whose current wave has no dispatch yet gets one (two runs start it once). */
  async startDueWaves(context: AuditContext): Promise<{ started: number }> {
    const wave = quarterOf(this.deps.clock.now());
    let started = 0;
    for (const survey of await this.deps.definitions.published()) {
      if (!survey.recurrence) continue;
      const id = uuidOf(`survey-wave:${survey.id}:${wave}`);
      if (await this.deps.repository.find(id)) continue;
      const { segment, sampleSize } = survey.recurrence;
      await this.start(survey.id, { segment, ...(sampleSize !== undefined ? { sampleSize } : {}), wave }, context, undefined, 'schedule', id);
      started += 1;
    }
    return { started };
  }

  /**
   * A closed complaint's surveys: for each published survey triggered by `complaint.closed`,
   * the customer is considered for the quarter's triggered dispatch (made on first use, with
   * no pages) by the same rules as a segment's candidates, the segment aside.
   */
  async triggerForComplaint(customerId: string, complaintId: string, context: AuditContext): Promise<{ invited: number }> {
    const now = this.deps.clock.now();
    const wave = quarterOf(now);
    const surveys = (await this.deps.definitions.published()).filter((s) => s.trigger?.event === 'complaint.closed' && s.status === 'published');
    if (!surveys.length) return { invited: 0 };
    const purpose = await this.purpose();
    let invited = 0;
    for (const survey of surveys) {
      const dispatch = await this.triggeredDispatch(survey, wave, now, context);
      const definition = (await this.deps.definitions.definition(survey.id, dispatch.surveyVersion)) ?? survey;
      const tally = await this.maker.consider(dispatch, definition, [customerId], { mode: 'select', purpose });
      const skipped = skipCounters(tally);
      if (Object.keys(skipped).length) await this.deps.store.transact([this.deps.repository.progressAdd(dispatch.id, `${customerId}#${complaintId}`, skipped)]);
      await this.announce(dispatch, tally.queued);
      invited += tally.queued.length;
    }
    return { invited };
  }

  private async triggeredDispatch(survey: Survey, wave: string, now: Date, context: AuditContext): Promise<DispatchFields> {
    const id = uuidOf(`survey-trigger:${survey.id}:${wave}`);
    const existing = await this.deps.repository.find(id);
    if (existing) return existing;
    const at = now.toISOString();
    const dispatch: DispatchFields = {
      id,
      surveyId: survey.id,
      surveyVersion: survey.version,
      wave,
      segment: {},
      cause: 'trigger',
      state: 'done',
      seen: 0,
      chosen: 0,
      pages: 0,
      createdAt: at,
      createdBy: context.actor.id,
      updatedAt: at,
      finishedAt: at,
      version: 1,
    };
    try {
      await this.deps.audit.commit(context, [audited('survey.dispatch', survey.id)], [this.deps.repository.write(dispatch)]);
      await this.deps.definitions.addWave(survey.id, wave);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      return (await this.deps.repository.find(id)) ?? dispatch;
    }
    return dispatch;
  }

  /** The version in force of a published survey; a draft or archived one answers 409 (`status`). */
  private async publishedSurvey(surveyId: string): Promise<Survey> {
    const survey = await this.deps.definitions.definition(surveyId);
    if (survey?.status === 'published') return survey;
    if (survey || (await this.deps.definitions.definition(surveyId, 1))) {
      throw new ConflictError('Only a published survey can be dispatched; publish it first.', 'status');
    }
    throw new NotFoundError('No survey has this id.', 'id');
  }

  /** The `survey` purpose: without it nobody may be invited, so a dispatch is refused (409 `purpose`). */
  private async purpose(): Promise<Purpose> {
    try {
      return await this.deps.consent.purpose(SURVEY_PURPOSE);
    } catch (error) {
      if (error instanceof PurposeNotFoundError) throw new ConflictError(`No purpose \`${SURVEY_PURPOSE}\` is defined; define it with PUT /v1/purposes/${SURVEY_PURPOSE}.`, 'purpose');
      throw error;
    }
  }

  /** One page of candidate customer ids after the dispatch's cursor, from the listing its segment needs. */
  private async candidates(dispatch: DispatchFields): Promise<{ ids: string[]; cursor?: string }> {
    const page = { limit: SURVEY_DISPATCH_PAGE, ...(dispatch.cursor ? { cursor: dispatch.cursor } : {}) };
    const days = dispatch.segment.complaintClosedWithinDays;
    if (days !== undefined) {
      // From the dispatch's start: both passes read the same window.
      const from = new Date(Date.parse(dispatch.createdAt) - days * DAY_MS).toISOString();
      const result = await this.deps.complaints.closedSince(from, page);
      return { ids: result.items.map((c) => c.customerId), ...(result.cursor ? { cursor: result.cursor } : {}) };
    }
    const result = await this.deps.customers.list([], page);
    return { ids: result.items.map((c) => c.id), ...(result.cursor ? { cursor: result.cursor } : {}) };
  }

  private announce(dispatch: Pick<DispatchFields, 'id' | 'surveyId'>, queued: InvitationRef[]): Promise<void> {
    if (!queued.length) return Promise.resolve();
    const at = this.deps.clock.now().toISOString();
    return this.publish(
      queued.map((ref) => ({
        type: 'SurveyInvitationQueued',
        id: randomUUID(),
        at,
        detail: { invitationId: ref.invitationId, customerId: ref.customerId, surveyId: dispatch.surveyId, dispatchId: dispatch.id },
      })),
    );
  }

  /** Publishes; a failure is reported, not thrown: a stalled dispatch is resumed, a page read again announces its queued invitations again. */
  private async publish(events: DomainEvent[]): Promise<void> {
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      if (this.deps.onPublishFailure) this.deps.onPublishFailure(error, events);
      else console.error(JSON.stringify({ level: 'ERROR', message: 'survey dispatch events not published', types: [...new Set(events.map((e) => e.type))], causeName: (error as Error).name }));
    }
  }

  private async present(item: DispatchFields): Promise<Dispatch> {
    const { pk: _pk, sk: _sk, kind: _kind, gsi2pk: _gpk, gsi2sk: _gsk, ...fields } = item as DispatchItem;
    return { ...(fields as DispatchFields), progress: await this.deps.repository.progress(item.id) };
  }
}

const pageEvent = (dispatch: Pick<DispatchFields, 'id' | 'surveyId'>, at: string): DomainEvent => ({
  type: 'SurveyDispatchPage',
  id: randomUUID(),
  at,
  detail: { dispatchId: dispatch.id, surveyId: dispatch.surveyId },
});

const skipCounters = (tally: CandidateTally): Record<string, number> =>
  Object.fromEntries(Object.entries(tally.skipped).filter(([, n]) => n > 0).map(([reason, n]) => [progressCounter.skipped(reason as SkipReason), n]));

/**
 * The dispatch after a page: the new cursor, or at the end of the source the next pass
 * (counting → selecting from the start, selecting → done, out of the unfinished index).
 */
function advance(dispatch: DispatchItem, tally: CandidateTally, cursor: string | undefined, at: string): DispatchFields {
  const { cursor: _old, pk: _pk, sk: _sk, kind: _kind, gsi2pk: _gpk, gsi2sk: _gsk, ...fields } = dispatch;
  const base: DispatchFields = { ...(fields as Omit<DispatchFields, 'cursor'>), pages: dispatch.pages + 1, updatedAt: at, version: dispatch.version + 1 };
  if (dispatch.state === 'counting') base.eligible = (dispatch.eligible ?? 0) + tally.eligible;
  else {
    base.seen = tally.seen;
    base.chosen = tally.chosen;
  }
  if (cursor) return { ...base, cursor };
  if (dispatch.state === 'counting') return { ...base, state: 'selecting', seen: 0, chosen: 0 };
  return { ...base, state: 'done', finishedAt: at };
}
