import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { ConflictError, NotFoundError } from '../../platform/errors/index.js';
import { maskRecipient } from '../../platform/notify/index.js';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type Notifier, type QueryPage, type Store } from '../../platform/ports/index.js';
import { customerViews, type CustomerService } from '../customers/index.js';
import { AFFECTED_SHARDS } from './keys.js';
import { NoticeRepository, presentNotice, type NoticeCounts, type NoticeFields, type NoticeItem, type NotifyRunFields } from './notice-repository.js';
import { noticeMessage, type NoticeFacts } from './notice-messages.js';
import type { CustomerNotification, IncidentRecord, NotificationProgress, NotificationState, ScopeCounts } from './types.js';

/** Affected customers made into notices per page: one transaction of notices and a counter (≤ 100 writes). */
export const NOTIFICATION_PAGE = 90;
/** Runs and notices handed on again per resume sweep, at most. */
const RESUME_MAX = 1_000;
/** A claim younger than this may belong to a send still running (the consumer's timeout is 30 s). */
const SENDING_GRACE_MS = 5 * 60 * 1000;
const DEFAULT_LIST = 50;
const MAX_LIST = 100;
/** Who opens a customer's contact to send the notice: audited as such on every read. */
const NOTIFIER: AuditContext = { actor: { id: 'incident-notifier', role: 'system' }, purpose: 'breach-response' };

export interface NotificationDeps {
  store: Store;
  /** The incident with its text opened (IncidentRepository). */
  repository: { find(id: string): Promise<IncidentRecord | undefined> };
  /** The affected set's counts (ScopeService). */
  scope: { counts(incidentId: string): Promise<ScopeCounts> };
  customers: {
    /** The contact, opened for the send only (CustomerService). */
    contact: Pick<CustomerService, 'get'>;
    /** The stored profiles' clear language (CustomerRepository): a notice's language is picked when it is made. */
    profiles: { findMany(ids: string[]): Promise<Array<{ id: string; language?: string }>> };
  };
  notifier: Notifier;
  /** Where a drill's notices go instead (an outbox folder locally, the log in AWS); without one a drill is refused. */
  drillSink?: Notifier;
  events: EventPublisher;
  clock: Clock;
  audit: Pick<AuditTrail, 'record'>;
  /** The DPO's contact the notice names (configuration `incidentContact`). */
  contact: string;
  onPublishFailure?: (error: unknown, events: DomainEvent[]) => void;
}

export interface NoticeRef {
  incidentId: string;
  customerId: string;
}

export type NoticeOutcome = 'sent' | 'done' | 'missing' | 'interrupted' | 'undeliverable' | 'skipped';

/** The notice could not be sent this time: the message is retried (or, at its last receive, the notice failed). */
/** Why a duplicate message leaves a notice alone: another delivery claimed it moments ago. */
class NoticeInFlight extends Error {
  override name = 'NoticeInFlight';
}

export class NoticeNotSentError extends Error {
  constructor(
    readonly ref: NoticeRef,
    readonly final: boolean,
    cause: unknown,
  ) {
    super(`Notice of incident ${ref.incidentId} not sent (${(cause as Error | undefined)?.name ?? 'Error'})${final ? '; counted as failed' : '; retried'}.`);
    this.name = 'NoticeNotSentError';
  }
}

const audited = (action: string, id: string) => ({ action, target: { type: 'incident', id } });

/**
 * Tells the affected customers (BR-3): a job walks the affected set a page at a time and
 * makes one notice per customer (absent-conditioned, so a page read again makes none twice),
 * each sent through the incident-work queue at most once, as InvitationSender sends. Every
 * change of a notice moves its counters in the same transaction, so the progress adds up:
 * pending + queued (including those being sent) + sent + failed + undeliverable + skipped =
 * affected. Restriction and objection do not stop a notice: it is owed by law.
 */
export class NotificationService {
  private readonly notices: NoticeRepository;

  constructor(private readonly deps: NotificationDeps) {
    this.notices = new NoticeRepository(deps.store);
  }

  /**
   * Starts notifying (the incident's `notify` transition): the run is written once (a second
   * start answers 409 `action`); a drill without a drill sink is refused before anything is written.
   */
  async start(incidentId: string, context: AuditContext): Promise<NotificationProgress> {
    const record = await this.deps.repository.find(incidentId);
    if (!record) throw new NotFoundError('No incident has this id.', 'id');
    if (record.drill && !this.deps.drillSink) {
      throw new ConflictError('A drill notifies through the drill sink only, and none is configured (DRILL_SINK_FOLDER, or the log sink).', 'drill');
    }
    const at = this.deps.clock.now().toISOString();
    const run: NotifyRunFields = { incidentId, drill: record.drill, state: 'running', shard: 0, walked: false, pages: 0, startedAt: at, startedBy: context.actor.id, updatedAt: at, version: 1 };
    try {
      await this.deps.store.transact([this.notices.runWrite(run)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new ConflictError('The customers affected by this incident are notified already.', 'action');
      throw error;
    }
    await this.publish([pageEvent(incidentId, at)], false);
    return this.progress(incidentId);
  }

  /**
   * One page (the queue's `IncidentNotificationPage`): up to NOTIFICATION_PAGE customers of the
   * shard being walked made into notices with their counter, the notices still queued announced
   * (a failure throws: the page is read again), then the position moved, conditional on the
   * version read (a page run twice at once moves it once), and the next page's message.
   */
  async runPage(incidentId: string): Promise<{ outcome: 'page' | 'done' | 'raced'; queued?: number }> {
    const run = await this.notices.findRun(incidentId);
    if (!run || run.walked) return { outcome: 'done' };
    let shard = run.shard;
    let after = run.after;
    let page = await this.notices.affectedAfter(incidentId, shard, after, NOTIFICATION_PAGE);
    while (!page.ids.length && shard < AFFECTED_SHARDS - 1) {
      shard += 1;
      after = undefined;
      page = await this.notices.affectedAfter(incidentId, shard, after, NOTIFICATION_PAGE);
    }
    const made = await this.queue(incidentId, shard, page.ids);
    if (made === 'raced') return { outcome: 'raced' };
    await this.publish(made.announce.map((customerId) => queuedEvent(incidentId, customerId, this.deps.clock.now().toISOString())), true);
    const at = this.deps.clock.now().toISOString();
    const last = page.ids[page.ids.length - 1];
    const position = page.more && last !== undefined ? { shard, after: last } : shard < AFFECTED_SHARDS - 1 ? { shard: shard + 1 } : { shard, walked: true };
    const { after: _old, ...fields } = runFields(run);
    const next: NotifyRunFields = { ...fields, ...position, walked: position.walked === true, pages: run.pages + 1, updatedAt: at, version: run.version + 1 };
    try {
      await this.deps.store.transact([this.notices.runWrite(next, run.version)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return { outcome: 'raced' };
      throw error;
    }
    if (next.walked) await this.finishIfSettled(incidentId);
    else await this.publish([pageEvent(incidentId, at)], false);
    return { outcome: 'page', queued: made.created };
  }

  /**
   * Sends one notice (the queue's `IncidentNotificationQueued`), never twice: the claim
   * (queued → sending) is conditional on the version read; a notice found `sending` was
   * interrupted after its claim and may have gone out, so it fails. A send that fails throws
   * (retried); at the last receive the notice is counted as failed first.
   */
  async deliver(ref: NoticeRef, delivery: { receive: number; maxReceives: number }): Promise<NoticeOutcome> {
    const found = await this.notices.find(ref.incidentId, ref.customerId);
    if (!found) return 'missing';
    if (found.state === 'sending') {
      // Claimed moments ago: a duplicate message while the first send may still be running.
      // It comes back later; only a claim older than any send (or the last receive) is interrupted.
      const age = this.deps.clock.now().getTime() - Date.parse(found.updatedAt);
      if (age < SENDING_GRACE_MS && delivery.receive < delivery.maxReceives) throw new NoticeNotSentError(ref, false, new NoticeInFlight());
      return (await this.settle(found, 'failed', 'interrupted')) ? 'interrupted' : 'done';
    }
    if (found.state !== 'queued') return 'done';
    const [record, run] = await Promise.all([this.deps.repository.find(ref.incidentId), this.notices.findRun(ref.incidentId)]);
    if (!record || !run) return 'missing';
    const claimed: NoticeFields = { ...noticeFields(found), state: 'sending', attempts: found.attempts + 1, updatedAt: this.deps.clock.now().toISOString(), version: found.version + 1 };
    try {
      await this.deps.store.transact([this.notices.noticeWrite(claimed, found.version)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return 'done';
      throw error;
    }
    let address: { channel: 'email' | 'sms'; to: string } | undefined;
    try {
      address = await this.addressOf(claimed.customerId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) return this.retryOrFail(claimed, delivery, error);
      await this.settle(claimed, 'skipped', 'erased');
      return 'skipped';
    }
    if (!address) {
      await this.settle(claimed, 'undeliverable', 'no-contact');
      return 'undeliverable';
    }
    const addressed: NoticeFields = { ...claimed, channel: address.channel };
    try {
      const message = noticeMessage({ language: claimed.language, channel: address.channel }, this.factsOf(record));
      if (!run.drill) await this.deps.notifier.send({ ...address, ...message });
      else if (this.deps.drillSink) await this.deps.drillSink.send({ channel: address.channel, to: maskRecipient(address.channel, address.to), subject: `[DRILL] ${message.subject}`, body: message.body });
      // A drill never reaches a customer: without its sink it waits (and fails at the last receive).
      else throw new ConflictError('This drill has no drill sink configured.', 'drill');
    } catch (error) {
      return this.retryOrFail(addressed, delivery, error);
    }
    const at = this.deps.clock.now().toISOString();
    const sent: NoticeFields = { ...addressed, state: 'sent', sentAt: at, updatedAt: at, version: claimed.version + 1 };
    try {
      await this.deps.store.transact([this.notices.noticeWrite(sent, claimed.version), this.notices.countsAdd(ref.incidentId, ref.customerId, { queued: -1, sent: 1 })]);
    } catch (error) {
      // Settled meanwhile (found interrupted by a late duplicate): it stays as recorded, counted once.
      if (error instanceof ConditionFailedError) return 'done';
      throw error;
    }
    await this.finishIfSettled(ref.incidentId);
    return 'sent';
  }

  /** The counters summed: pending is what the walk has not reached (queued includes notices being sent). */
  async progress(incidentId: string): Promise<NotificationProgress> {
    const [run, counts, scope] = await Promise.all([this.notices.findRun(incidentId), this.notices.counts(incidentId), this.deps.scope.counts(incidentId)]);
    const made = counts.queued + counts.sent + counts.failed + counts.undeliverable + counts.skipped;
    return {
      affected: scope.affected,
      pending: scope.affected - made,
      ...counts,
      state: run ? run.state : 'not-started',
      ...(run ? { startedAt: run.startedAt } : {}),
      ...(run?.finishedAt ? { finishedAt: run.finishedAt } : {}),
      drill: run?.drill ?? false,
    };
  }

  /** The incident's notices (pseudonymous, no contact), optionally of one state; audited. */
  async list(incidentId: string, query: { state?: NotificationState; limit?: number; cursor?: string }, context: AuditContext): Promise<QueryPage<CustomerNotification>> {
    if (!(await this.deps.repository.find(incidentId))) throw new NotFoundError('No incident has this id.', 'id');
    const limit = Math.min(Math.max(query.limit ?? DEFAULT_LIST, 1), MAX_LIST);
    const page = await this.notices.list(incidentId, query.state, { limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
    await this.deps.audit.record(context, [audited('incident.notifications.read', incidentId)]);
    return { items: page.items.map(presentNotice), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /**
   * Unfinished runs unchanged for `olderThanMs`: a walk gets its page message again; a walked
   * run's notices still unsettled since then are announced again (a lost message, or one that
   * went to the DLQ while `sending`: it is found interrupted), and a settled run is finished.
   */
  async resumeStalled(olderThanMs: number): Promise<{ resumed: number }> {
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const cutoff = new Date(now.getTime() - olderThanMs).toISOString();
    const events: DomainEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.notices.unfinished(cutoff, { limit: 100, ...(cursor ? { cursor } : {}) });
      for (const run of page.items) {
        if (events.length >= RESUME_MAX) break;
        if (!run.walked) {
          events.push(pageEvent(run.incidentId, at));
          continue;
        }
        const unsettled = await this.notices.unsettled(run.incidentId, cutoff, { limit: Math.max(RESUME_MAX - events.length, 1) });
        events.push(...unsettled.items.map((n) => queuedEvent(n.incidentId, n.customerId, at)));
        if (!unsettled.items.length) await this.finishIfSettled(run.incidentId);
      }
      cursor = page.cursor;
    } while (cursor && events.length < RESUME_MAX);
    if (events.length) await this.publish(events, false);
    return { resumed: events.length };
  }

  /** Notices for the customers of a page who have none yet, with their counter; the ones still queued are announced. */
  private async queue(incidentId: string, shard: number, ids: string[]): Promise<{ created: number; announce: string[] } | 'raced'> {
    if (!ids.length) return { created: 0, announce: [] };
    const existing = await this.notices.existing(incidentId, ids);
    const fresh = ids.filter((id) => !existing.has(id));
    const languages = new Map((fresh.length ? await this.deps.customers.profiles.findMany(fresh) : []).map((p) => [p.id, p.language]));
    const at = this.deps.clock.now().toISOString();
    const notices: NoticeFields[] = fresh.map((customerId) => ({
      incidentId,
      customerId,
      language: languages.get(customerId) === 'en' ? 'en' : 'zh-CN',
      state: 'queued',
      attempts: 0,
      queuedAt: at,
      updatedAt: at,
      version: 1,
    }));
    if (notices.length) {
      try {
        await this.deps.store.transact([...notices.map((n) => this.notices.noticeWrite(n)), this.notices.countsAdd(incidentId, `${shard}#${fresh[0]}`, { queued: notices.length })]);
      } catch (error) {
        // The same page run at once elsewhere: it made them.
        if (error instanceof ConditionFailedError) return 'raced';
        throw error;
      }
    }
    const stillQueued = [...existing.values()].filter((n) => n.state === 'queued').map((n) => n.customerId);
    return { created: notices.length, announce: [...fresh, ...stillQueued] };
  }

  /** Not sent: at the last receive the notice fails (counted), else it is queued again; either way the message fails. */
  private async retryOrFail(claimed: NoticeFields, delivery: { receive: number; maxReceives: number }, cause: unknown): Promise<never> {
    const final = delivery.receive >= delivery.maxReceives;
    if (final) await this.settle(claimed, 'failed', 'notifier');
    else await this.deps.store.transact([this.notices.noticeWrite({ ...claimed, state: 'queued', updatedAt: this.deps.clock.now().toISOString(), version: claimed.version + 1 }, claimed.version)]);
    throw new NoticeNotSentError({ incidentId: claimed.incidentId, customerId: claimed.customerId }, final, cause);
  }

  /** Settles a notice with its counter moved from queued, once (false when it changed meanwhile). */
  private async settle(notice: NoticeFields, state: Exclude<NotificationState, 'queued' | 'sending' | 'sent'>, failure: string): Promise<boolean> {
    const next: NoticeFields = { ...noticeFields(notice), state, failure, updatedAt: this.deps.clock.now().toISOString(), version: notice.version + 1 };
    const add: NoticeCounts = { queued: -1, [state]: 1 };
    try {
      await this.deps.store.transact([this.notices.noticeWrite(next, notice.version), this.notices.countsAdd(notice.incidentId, notice.customerId, add)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
    await this.finishIfSettled(notice.incidentId);
    return true;
  }

  /** A walked run whose notices are all settled is done: its finish is when the individuals' obligations are met. */
  private async finishIfSettled(incidentId: string): Promise<void> {
    const run = await this.notices.findRun(incidentId);
    if (!run || !run.walked || run.state === 'done') return;
    if ((await this.notices.counts(incidentId, true)).queued > 0) return;
    const at = this.deps.clock.now().toISOString();
    try {
      await this.deps.store.transact([this.notices.runWrite({ ...runFields(run), state: 'done', finishedAt: at, updatedAt: at, version: run.version + 1 }, run.version)]);
    } catch (error) {
      // Finished (or moved) by another delivery at the same time.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  /** The first email, else the first phone, as InvitationSender finds an address. */
  private async addressOf(customerId: string): Promise<{ channel: 'email' | 'sms'; to: string } | undefined> {
    const record = await this.deps.customers.contact.get(customerId, NOTIFIER, customerViews.dpo.contact!);
    const email = record.emails?.[0];
    if (email) return { channel: 'email', to: email };
    const phone = record.phones?.[0];
    return phone ? { channel: 'sms', to: phone } : undefined;
  }

  private factsOf(record: IncidentRecord): NoticeFacts {
    return {
      categories: record.dataCategories,
      occurredAt: record.occurredAt,
      cause: record.text.cause ?? '',
      consequences: record.text.consequences ?? '',
      measures: record.text.measures ?? '',
      advice: record.text.advice ?? '',
      contact: this.deps.contact,
    };
  }

  /** `strict`: the failure is thrown (announcing a page's notices: the page is read again); else reported, the sweep resumes. */
  private async publish(events: DomainEvent[], strict: boolean): Promise<void> {
    if (!events.length) return;
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      if (strict) throw error;
      if (this.deps.onPublishFailure) this.deps.onPublishFailure(error, events);
      else console.error(JSON.stringify({ level: 'ERROR', message: 'incident notification events not published', types: [...new Set(events.map((e) => e.type))], causeName: (error as Error).name }));
    }
  }
}

const pageEvent = (incidentId: string, at: string): DomainEvent => ({ type: 'IncidentNotificationPage', id: randomUUID(), at, detail: { incidentId } });
const queuedEvent = (incidentId: string, customerId: string, at: string): DomainEvent => ({ type: 'IncidentNotificationQueued', id: randomUUID(), at, detail: { incidentId, customerId } });

const STORAGE_ONLY = ['pk', 'sk', 'kind', 'gsi2pk', 'gsi2sk'] as const;
const strip = <T>(item: object): T => {
  const fields: Record<string, unknown> = { ...item };
  for (const name of STORAGE_ONLY) delete fields[name];
  return fields as T;
};
const runFields = (run: NotifyRunFields): NotifyRunFields => strip<NotifyRunFields>(run);
const noticeFields = (notice: NoticeFields | NoticeItem): NoticeFields => strip<NoticeFields>(notice);
