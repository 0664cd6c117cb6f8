import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { ConsentService } from '../consent/index.js';
import { openJson, sealJson, SealError, type DataKeyRing } from '../../platform/crypto/index.js';
import { activeHolds, describeHold, liveProfile, resolveView, type CustomerService } from '../customers/index.js';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError } from '../../platform/errors/index.js';
import type { InteractionService } from '../interactions/index.js';
import {
  ConditionFailedError,
  type Clock,
  type DomainEvent,
  type EventPublisher,
  type IntegrityFailureHandler,
  type QueryPage,
  type Store,
} from '../../platform/ports/index.js';
import type { SharingService } from '../sharing/index.js';
import { dueDate } from './deadlines.js';
import type { RequestFields, RequestItem, RequestRepository } from './repository.js';
import type { CreateRequestInput, ListRequestsQuery, TransitionInput } from './schemas.js';
import { hasSealedTexts, openTexts, sealNewTexts, withoutSealedTexts } from './texts.js';
import { checkTransition, isOpen } from './state-machine.js';
import type { CustomerComplaints, CustomerSurveyAnswers, ErasureTracking, RequestTransition, SubjectRequest } from './types.js';

const DAY_MS = 86_400_000;
/** The scheduled check warns this long before a deadline. */
export const DUE_SOON_DAYS = 3;
const EXPORT_MAX_ROWS = 10_000;

/**
 * Data-subject requests (DSR-1 to DSR-5): received, identity verified, approved by the
 * DPO, completed or rejected with a reason, each against its legal deadline. Approval of
 * a restriction or objection applies it at once; of an erasure, publishes the event the
 * erasure worker acts on.
 */
export class RequestService {
  constructor(
    private readonly deps: {
      repository: RequestRepository;
      store: Store;
      keys: DataKeyRing;
      clock: Clock;
      audit: AuditTrail;
      events: EventPublisher;
      customers: CustomerService;
      consent: ConsentService;
      interactions: InteractionService;
      sharing: SharingService;
      complaints: CustomerComplaints;
      surveys: CustomerSurveyAnswers;
      erasures: ErasureTracking;
      onPublishFailure: (error: unknown, events: DomainEvent[]) => void;
      onIntegrityFailure: IntegrityFailureHandler;
    },
  ) {}

  /**
   * Registers a request. A customer who signed in with a one-time code sent to a contact
   * on file has proven who they are: their request starts identity-verified.
   */
  async create(input: CreateRequestInput, context: AuditContext): Promise<SubjectRequest> {
    if (!(await liveProfile(this.deps.store, input.customerId))) throw new NotFoundError('No customer has this id.', 'customerId');
    const now = this.deps.clock.now();
    const id = randomUUID();
    const sealedDetails =
      input.details === undefined ? undefined : sealJson(await this.deps.keys.get(input.customerId), input.details, { customerId: input.customerId, field: 'request.details' });
    const item: RequestFields = {
      id,
      customerId: input.customerId,
      type: input.type,
      jurisdiction: input.jurisdiction,
      status: context.actor.role === 'customer' ? 'identity-verified' : 'received',
      channel: input.channel,
      receivedAt: now.toISOString(),
      dueAt: dueDate(input.jurisdiction, now).toISOString(),
      ...(input.purposes ? { purposes: [...new Set(input.purposes)] } : {}),
      ...(sealedDetails ? { sealedDetails } : {}),
      transitions:
        context.actor.role === 'customer'
          ? [{ action: 'verify-identity', at: now.toISOString(), actor: context.actor.id, role: 'customer', reason: 'one-time code sent to a contact on file' }]
          : [],
      version: 1,
    };
    await this.deps.audit.commit(context, [this.audited('request.create', item)], [this.deps.repository.write(item)]);
    return this.present(item as RequestItem);
  }

  async get(id: string, context: AuditContext): Promise<SubjectRequest> {
    const item = await this.load(id);
    await this.deps.audit.record(context, [this.audited('request.read', item)]);
    return this.present(item);
  }

  async list(query: ListRequestsQuery, context: AuditContext): Promise<QueryPage<SubjectRequest>> {
    const page = { limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) };
    const result =
      query.overdue === 'true'
        ? await this.deps.repository.dueBy(this.deps.clock.now().toISOString(), page)
        : await this.deps.repository.list({ ...(query.status ? { status: query.status } : {}), ...(query.customerId ? { customerId: query.customerId } : {}) }, page);
    const items = await Promise.all(result.items.map((item) => this.present(item, false)));
    if (items.length) await this.deps.audit.record(context, result.items.map((item) => this.audited('request.list', item)));
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  async transition(id: string, input: TransitionInput, context: AuditContext): Promise<SubjectRequest> {
    const current = await this.load(id);
    if (context.actor.role === 'customer' || context.actor.role === 'system') throw new ForbiddenError('Customers make requests; staff act on them.', 'action');
    const check = checkTransition(current.status, input.action, context.actor.role, current.type);
    if (!check.ok) {
      if (check.reason === 'role') throw new ForbiddenError(`Only the data-protection officer may ${input.action} a request.`, 'action');
      if (check.reason === 'erasure') {
        throw new ConflictError(
          'An approved erase request is closed by the erasure itself, once its certificate exists; an erasure that does not finish is listed at GET /v1/erasures?state=stuck and retried with POST /v1/erasures/{id}/retries.',
          'action',
        );
      }
      throw new ConflictError(`A ${current.status} request cannot be ${input.action === 'verify-identity' ? 'identity-verified' : `${input.action}d`}.`, 'action');
    }
    const now = this.deps.clock.now().toISOString();
    const step = (action: RequestTransition['action'], reason?: string): RequestTransition => ({
      action,
      at: now,
      actor: context.actor.id,
      role: context.actor.role,
      ...(reason ? { reason } : {}),
    });
    let next: RequestFields = {
      ...current,
      status: check.to,
      transitions: [...current.transitions, step(input.action, input.reason)],
      version: current.version + 1,
      ...(input.action === 'reject' ? { rejectionReason: input.reason } : {}),
      ...(input.action === 'complete' ? { completedAt: now } : {}),
    };
    // A hold of the whole record stops an erasure: the request closes with the hold's reason,
    // which the customer sees. A hold of some categories only narrows it (the worker reports).
    if (input.action === 'approve' && current.type === 'erase') {
      const profile = await liveProfile(this.deps.store, current.customerId);
      const holds = profile ? activeHolds(profile, this.deps.clock.now()).filter((h) => !h.categories) : [];
      if (holds.length) {
        const reason = `Erasure stopped by legal hold: ${holds.map(describeHold).join('; ')}`;
        next = { ...next, status: 'rejected', rejectionReason: reason, transitions: [...next.transitions, step('reject', reason)] };
      }
    }
    // A restriction or objection is applied on approval, which completes it.
    if (input.action === 'approve' && (current.type === 'restrict' || current.type === 'object')) {
      await this.applyFlags(current, context);
      next = { ...next, status: 'completed', completedAt: now, transitions: [...next.transitions, step('complete', 'applied on approval')] };
    }
    // An approved erasure is filed as unfinished in the same write: from here on it is watched
    // until it closes, even if its message is lost on the way to the worker.
    const erasing = input.action === 'approve' && current.type === 'erase' && next.status === 'in-progress';
    const run = erasing
      ? [this.deps.erasures.approved({ requestId: id, customerId: current.customerId, at: now })]
      : [];
    // The reasons written by this transition may name people: sealed like the customer's words.
    next = sealNewTexts(await this.deps.keys.get(current.customerId), next, current.transitions.length);
    try {
      await this.deps.audit.commit(context, [this.audited(`request.${input.action}`, current)], [this.deps.repository.write(next, current.version), ...run]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new PreconditionFailedError('The request changed meanwhile; read it again.', 'id');
      throw error;
    }
    if (erasing) {
      await this.publish({ type: 'ErasureApproved', id: `${id}:approve`, at: now, detail: { requestId: id, customerId: current.customerId } });
    }
    return this.present(next as RequestItem);
  }

  /** Every request of a customer, stored form (the erasure strips their sealed details). */
  ofCustomer(customerId: string): Promise<RequestItem[]> {
    return this.drain((cursor) => this.deps.repository.ofCustomer(customerId, { limit: 100, ...(cursor ? { cursor } : {}) }));
  }

  /**
   * What the erasure queue may act on for a request: `run` when it names an approved, open
   * erasure of this customer, `closed` when it was one and is closed now (a repeated
   * message). Anything else is not an erasure request at all, and throws.
   */
  async erasureState(id: string, customerId: string): Promise<'run' | 'closed'> {
    const item = await this.deps.repository.find(id);
    if (!item || item.type !== 'erase' || item.customerId !== customerId || !['in-progress', 'completed', 'rejected'].includes(item.status)) {
      throw new ConflictError('The message names no approved erasure of this customer.', 'requestId');
    }
    return item.status === 'in-progress' ? 'run' : 'closed';
  }

  /**
   * The erasure's part in a customer's requests: each loses the customer's own words, and
   * each still open (other than the erasure's own) is completed with an outcome that names
   * the erasure, so that no deadline runs on for a customer who is gone. Each write is
   * conditional on the version read: a request changed meanwhile fails this attempt of the
   * erasure, and its retry handles it. Answers the erase requests it closed (their own
   * erasures no longer run).
   */
  async closeForErasure(customerId: string, erasureRef: string, context: AuditContext): Promise<string[]> {
    const at = this.deps.clock.now().toISOString();
    const outcome = `closed by erasure ${erasureRef}: the customer's data was erased, nothing about them is held to act on`;
    const closes = (request: RequestItem) => isOpen(request.status) && request.id !== erasureRef;
    const changed = (await this.ofCustomer(customerId)).filter((request) => request.sealedDetails !== undefined || hasSealedTexts(request) || closes(request));
    // A close and its audit entry in one transaction, a few requests at a time (a transaction holds 100 writes).
    for (let i = 0; i < changed.length; i += 25) {
      const chunk = changed.slice(i, i + 25);
      const writes = chunk.map((stored) => {
        const { pk: _p, sk: _s, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, sealedDetails: _gone, ...request } = stored;
        const stripped: RequestFields = { ...withoutSealedTexts(request as RequestFields), version: request.version + 1 };
        const step: RequestTransition = { action: 'complete', at, actor: context.actor.id, role: context.actor.role, reason: outcome };
        const next: RequestFields = closes(stored)
          ? { ...stripped, status: 'completed', completedAt: at, outcome, transitions: [...request.transitions, step] }
          : stripped;
        return this.deps.repository.write(next, request.version);
      });
      const drafts = chunk.filter(closes).map((request) => this.audited('request.complete', request));
      if (drafts.length) await this.deps.audit.commit(context, drafts, writes);
      else await this.deps.store.transact(writes);
    }
    return changed.filter((request) => closes(request) && request.type === 'erase').map((request) => request.id);
  }

  /**
   * Closes a request a worker finished (an erasure) or could not do (a legal hold placed
   * after approval); nothing if it is closed already. The reason is what the customer is told.
   * A request changed meanwhile (an operator's note) is read again: the close must not be lost.
   */
  async closeBySystem(id: string, context: AuditContext, close: { action: 'complete' | 'reject'; reason: string }): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.load(id);
      if (current.status !== 'in-progress') return;
      const at = this.deps.clock.now().toISOString();
      const next: RequestFields = {
        ...current,
        transitions: [...current.transitions, { action: close.action, at, actor: context.actor.id, role: context.actor.role, reason: close.reason }],
        ...(close.action === 'complete'
          ? { status: 'completed', completedAt: at, outcome: close.reason }
          : { status: 'rejected', rejectionReason: close.reason }),
        version: current.version + 1,
      };
      try {
        await this.deps.audit.commit(context, [this.audited(`request.${close.action}`, current)], [this.deps.repository.write(next, current.version)]);
        return;
      } catch (error) {
        if (!(error instanceof ConditionFailedError) || attempt >= 5) throw error;
      }
    }
  }

  /** The machine-readable copy for an access request (DSR-1): everything held about the customer. */
  async export(id: string, context: AuditContext) {
    const request = await this.load(id);
    if (request.type !== 'access') throw new ConflictError('Only an access request has an export.', 'id');
    if (request.status !== 'in-progress' && request.status !== 'completed') {
      throw new ConflictError('The request must be approved before its export exists.', 'id');
    }
    const document = await this.subjectDocument(request.customerId, { actor: context.actor, purpose: 'access-request' });
    await this.deps.audit.record(context, [this.audited('request.export', request)]);
    return { ...document, request: { id: request.id, type: request.type } };
  }

  /** Everything held about a customer, as one document: for access requests and self-service. */
  async subjectDocument(customerId: string, full: AuditContext) {
    const customer = await this.deps.customers.get(customerId, full, resolveView('dpo', 'verification').view);
    const consents = await this.deps.consent.consents(customerId, full);
    // One row past the cap tells a list that is complete at the cap from one cut by it.
    const interactions = await this.deps.interactions.all(customerId, full, EXPORT_MAX_ROWS + 1);
    const shares = await this.deps.sharing.sharesOf(customerId);
    const complaints = await this.deps.complaints.allOfCustomer(customerId, full, EXPORT_MAX_ROWS + 1);
    const surveys = await this.deps.surveys.allOfCustomer(customerId, full, EXPORT_MAX_ROWS + 1);
    const requests = await this.drain(async (cursor) => {
      const page = await this.deps.repository.ofCustomer(customerId, { limit: 100, ...(cursor ? { cursor } : {}) });
      return { items: await Promise.all(page.items.map((item) => this.present(item))), ...(page.cursor ? { cursor: page.cursor } : {}) };
    });
    const accessLog = await this.drain((cursor) => this.deps.audit.list({ target: { type: 'customer', id: customerId } }, {}, { limit: 100, ...(cursor ? { cursor } : {}) }));
    const lists = { interactions, complaints, surveys, shares, requests, accessLog };
    // Said, not silent: a list cut at the cap is incomplete in this document.
    const truncated = Object.entries(lists).filter(([, rows]) => rows.length > EXPORT_MAX_ROWS).map(([name]) => name);
    const capped = <T>(rows: T[]) => rows.slice(0, EXPORT_MAX_ROWS);
    return {
      generatedAt: this.deps.clock.now().toISOString(),
      ...(truncated.length ? { truncated } : {}),
      customer,
      consents,
      interactions: capped(interactions),
      complaints: capped(complaints),
      surveys: capped(surveys),
      shares: capped(shares),
      requests: capped(requests),
      accessLog: capped(accessLog).map(({ at, actor, role, purpose, action }) => ({ at, actor, role, purpose, action })),
    };
  }

  /** Open requests overdue now, and due within the warning window: for the scheduled check. */
  async deadlines(): Promise<{ overdue: number; dueSoon: number }> {
    const now = this.deps.clock.now();
    const soon = new Date(now.getTime() + DUE_SOON_DAYS * DAY_MS).toISOString();
    const due = await this.drain((cursor) => this.deps.repository.dueBy(soon, { limit: 500, ...(cursor ? { cursor } : {}) }));
    const overdue = due.filter((r) => r.dueAt <= now.toISOString()).length;
    return { overdue, dueSoon: due.length - overdue };
  }

  private async applyFlags(request: RequestItem, context: AuditContext): Promise<void> {
    const view = resolveView('dpo').view;
    const customer = await this.deps.customers.get(request.customerId, context, view);
    const change =
      request.type === 'restrict'
        ? { restricted: true }
        : { objections: [...new Set([...(customer.objections ?? []), ...(request.purposes ?? [])])] };
    await this.deps.customers.update(request.customerId, { ...change, reason: `data-subject request ${request.id}` }, customer.version, context, view);
  }

  private async load(id: string): Promise<RequestItem> {
    const item = await this.deps.repository.find(id);
    if (!item) throw new NotFoundError('No request has this id.', 'id');
    return item;
  }

  private async present(item: RequestItem, withDetails = true): Promise<SubjectRequest> {
    const { pk: _pk, sk: _sk, sealedDetails, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, gsi3pk: _e, gsi3sk: _f, ...request } = item as RequestItem & Record<string, unknown>;
    const stored = request as unknown as SubjectRequest & { sealedRejectionReason?: string };
    const opensDetails = withDetails && sealedDetails !== undefined;
    if (!opensDetails && !hasSealedTexts(stored)) return stored;
    try {
      const key = await this.deps.keys.get(item.customerId);
      const shown = openTexts(key, stored);
      const details = opensDetails ? openJson<string>(key, sealedDetails as string, { customerId: item.customerId, field: 'request.details' }) : undefined;
      return { ...shown, ...(details ? { details } : {}) };
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      // The request stands; only its sealed texts are damaged: shown without them, marked, and alerted.
      this.deps.onIntegrityFailure({ record: 'request', customerId: item.customerId });
      const { sealedRejectionReason: _r, ...rest } = withoutSealedTexts(stored as unknown as RequestFields) as RequestFields & Record<string, unknown>;
      return { ...(rest as unknown as SubjectRequest), integrity: 'failed' };
    }
  }

  private audited(action: string, item: Pick<RequestFields, 'customerId'>) {
    return { action, target: { type: 'customer', id: item.customerId } };
  }

  private async drain<T>(read: (cursor?: string) => Promise<QueryPage<T>>): Promise<T[]> {
    const all: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await read(cursor);
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor && all.length <= EXPORT_MAX_ROWS);
    return all;
  }

  private async publish(event: DomainEvent): Promise<void> {
    try {
      await this.deps.events.publish([event]);
    } catch (error) {
      this.deps.onPublishFailure(error, [event]);
    }
  }
}
