import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { ForbiddenError, IntegrityError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type QueryPage, type Write } from '../../platform/ports/index.js';
import { canonicalJson, customerViews, hmac, IdempotencyKeyReusedError, liveProfile } from '../customers/index.js';
import { ComplaintDeadlines } from './deadlines.js';
import { initialMilestones, limitsFor, nextCheckAt, pendingNotice } from './milestones.js';
import { attemptNotice, messageFor, type NoticeAddress } from './notices.js';
import { referenceYear } from './references.js';
import type { ComplaintFilters, ComplaintItem } from './repository.js';
import type { ComplaintTransitionInput, CreateComplaintInput, ListComplaintsQuery } from './schemas.js';
import { ComplaintRecords } from './records.js';
import { sealComplaint } from './sealing.js';
import { isOpenComplaint } from './state-machine.js';
import type { Complaint, ComplaintPolicies, ComplaintServiceDeps, CustomerComplaint, EscalationStep, MilestoneName, NoticeState } from './types.js';
import { applyAction, PRIVACY_DEPARTMENT } from './workflow.js';

type Ref = { customerId: string; id: string };
type Page = { limit: number; cursor?: string };

const DEFAULT_PAGE = 50;
const DEFAULT_IDEMPOTENCY_TTL = 86_400;
/** Tries of a staff action sent without If-Match that meets a write made in between. */
const TRANSITION_ATTEMPTS = 3;
const audited = (action: string, customerId: string) => ({ action, target: { type: 'customer', id: customerId } });

/**
 * Complaints (CMP-1 to CMP-3): taken in on any channel and acknowledged to the customer, worked
 * through a validated workflow against time limits that pause while the customer is waited on,
 * escalated when missed. Every change is one transaction with its history, audit entry and
 * report counters, conditional on the version it replaces.
 */
export class ComplaintService {
  private readonly deadlines: ComplaintDeadlines;
  private readonly records: ComplaintRecords;

  constructor(private readonly deps: ComplaintServiceDeps) {
    this.records = new ComplaintRecords(deps);
    this.deadlines = new ComplaintDeadlines(deps, {
      load: (ref) => this.loadRef(ref),
      scheduledAt: async (ref) => (await this.deps.repository.find(ref.customerId, ref.id))?.nextCheckAt,
      save: (previous, next, policies, context, drafts, writes) => this.save(previous, next, policies, context, drafts, writes),
      addressOf: (customerId, context) => this.addressOf(customerId, context),
      unschedule: (ref) => this.unschedule(ref),
    });
  }

  /** Takes a complaint in: reference, milestones, acknowledgement to the customer (whose failure never fails it). */
  async create(input: CreateComplaintInput, context: AuditContext, idempotencyKey?: string): Promise<{ complaint: Complaint; replayed: boolean }> {
    const policies = await this.deps.policies.current();
    const category = policies.categories.find((c) => c.code === input.category);
    if (!category) {
      throw new ValidationError('The category is not one of the complaint policies.', [{ field: 'category', message: 'must be one of the configured categories' }]);
    }
    const idempotency = idempotencyKey ? await this.idempotency(context, idempotencyKey, input) : undefined;
    if (idempotency) {
      const replay = await this.replay(idempotency, context);
      if (replay) return { complaint: replay, replayed: true };
    }
    if (!(await liveProfile(this.deps.store, input.customerId))) throw new NotFoundError('No customer has this id.', 'customerId');
    const now = this.deps.clock.now();
    const at = now.toISOString();
    const id = randomUUID();
    const privacy = category.privacy === true;
    const complaint: Complaint = {
      id,
      reference: await this.deps.repository.nextReference(referenceYear(now, policies.calendar.timeZone)),
      customerId: input.customerId,
      channel: input.channel,
      category: input.category,
      severity: input.severity,
      language: input.language ?? 'zh-CN',
      privacy,
      subject: input.subject,
      description: input.description,
      ...(input.desiredOutcome !== undefined ? { desiredOutcome: input.desiredOutcome } : {}),
      receivedBy: context.actor.id,
      receivedAt: at,
      status: 'received',
      ...(privacy ? { department: PRIVACY_DEPARTMENT } : {}),
      milestones: initialMilestones(policies.calendar, at, limitsFor(policies, input.severity, input.category)),
      reopenCount: 0,
      escalations: [],
      notices: [pendingNotice('acknowledgement', at)],
      history: [{ action: 'receive', at, actor: context.actor.id, role: context.actor.role, to: 'received' }],
      version: 1,
    };
    const writes: Write[] = [this.deps.repository.pointerWrite(complaint)];
    if (idempotency) {
      const expiresAt = Math.floor(now.getTime() / 1000) + (this.deps.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL);
      writes.push(this.deps.repository.idempotencyWrite(idempotency.scope, { complaintId: id, customerId: input.customerId, requestHash: idempotency.requestHash, expiresAt }));
    }
    try {
      await this.save(undefined, complaint, policies, context, [audited('complaint.create', input.customerId)], writes);
    } catch (error) {
      const replay = error instanceof ConditionFailedError && idempotency ? await this.replay(idempotency, context) : undefined;
      if (replay) return { complaint: replay, replayed: true };
      throw error;
    }
    return { complaint: await this.notify(complaint, 'acknowledgement', policies, context), replayed: false };
  }

  async get(id: string, context: AuditContext): Promise<Complaint> {
    const complaint = await this.load(id);
    await this.deps.audit.record(context, [audited('complaint.read', complaint.customerId)]);
    return complaint;
  }

  async list(query: ListComplaintsQuery, context: AuditContext): Promise<QueryPage<Complaint>> {
    const page: Page = { limit: query.limit ?? DEFAULT_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) };
    const { status, category, severity, department, assignee, customerId } = query;
    const filters: ComplaintFilters = Object.fromEntries(
      Object.entries({ status, category, severity, department, assignee, customerId }).filter(([, v]) => v !== undefined),
    );
    const equals = Object.entries(filters).map(([name, value]) => ({ name, equals: value as string }));
    const result =
      query.overdue === 'true'
        ? await this.deps.repository.overdue(page, equals)
        : query.dueBefore !== undefined
          ? await this.deps.repository.dueBy(new Date(query.dueBefore).toISOString(), page, equals)
          : await this.deps.repository.list(filters, page);
    const items = await Promise.all(result.items.map((item) => this.present(item)));
    if (items.length) await this.deps.audit.record(context, items.map((c) => audited('complaint.list', c.customerId)));
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /**
   * A staff action on a complaint (CMP-2); `expectedVersion` from If-Match, when sent. Sent and
   * stale: 412. Not sent: a write of the schedule in between (a deadline, an announcement, a
   * notice retry) is no reason to refuse, so the action is taken again on what is stored now.
   */
  async transition(id: string, input: ComplaintTransitionInput, context: AuditContext, expectedVersion?: number): Promise<Complaint> {
    if (context.actor.role === 'customer' || context.actor.role === 'system') throw new ForbiddenError('Staff act on complaints.', 'action');
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.load(id);
      if (current.integrity) throw new IntegrityError();
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw new PreconditionFailedError('The complaint changed since the version sent; read it again.');
      const policies = await this.deps.policies.current();
      const at = this.deps.clock.now();
      let next = applyAction(current, input, context.actor, policies, at);
      if (input.action === 'resolve') next = { ...next, notices: [...next.notices.filter((n) => n.kind !== 'resolution'), pendingNotice('resolution', at.toISOString())] };
      try {
        await this.save(current, next, policies, context, [audited(`complaint.${input.action}`, current.customerId)]);
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
        if (expectedVersion === undefined && attempt < TRANSITION_ATTEMPTS) continue;
        throw new PreconditionFailedError('The complaint changed meanwhile; read it again.', 'id');
      }
      if (next.status === 'closed' && current.status !== 'closed') await this.closed(next, context);
      return input.action === 'resolve' ? this.notify(next, 'resolution', policies, context) : next;
    }
  }

  /** The customer's own complaints, in no particular order, as they see them (self-service). */
  async ofCustomer(customerId: string, context: AuditContext, page: { limit?: number; cursor?: string } = {}): Promise<QueryPage<CustomerComplaint>> {
    const result = await this.deps.repository.ofCustomer(customerId, { limit: page.limit ?? DEFAULT_PAGE, ...(page.cursor ? { cursor: page.cursor } : {}) });
    const items = await Promise.all(result.items.map((item) => this.present(item)));
    if (items.length) await this.deps.audit.record(context, [audited('complaint.list', customerId)]);
    return { items: items.map(customerView), ...(result.cursor ? { cursor: result.cursor } : {}) };
  }

  /** One of the customer's own complaints; another's answers 404, as if it did not exist. */
  async forCustomer(customerId: string, id: string, context: AuditContext): Promise<CustomerComplaint> {
    const item = await this.deps.repository.find(customerId, id);
    if (!item) throw new NotFoundError('You have no complaint with this id.', 'id');
    await this.deps.audit.record(context, [audited('complaint.read', customerId)]);
    return customerView(await this.present(item));
  }

  /** Every complaint of a customer, up to `max`, for the access export. */
  /** Every complaint of a customer, for the access export. */
  allOfCustomer(customerId: string, context: AuditContext, max = 10_000): Promise<Complaint[]> {
    return this.records.allOfCustomer(customerId, context, max);
  }

  /** The schedule's part (CMP-3): missed deadlines, escalations, notice retries (deadlines.ts). */
  applyDeadlines(ref: Ref, context: AuditContext): Promise<{ missed: MilestoneName[]; escalated?: EscalationStep }> {
    return this.deadlines.apply(ref, context);
  }

  /** Marks a level announced; false when it already was (or the complaint has no such step). */
  markAnnounced(ref: Ref, level: 1 | 2 | 3): Promise<boolean> {
    return this.deadlines.markAnnounced(ref, level);
  }

  /** Stores `next` (and `writes`) with its report counters, conditional on `previous`'s version, audited when `drafts` are given. */
  private async save(
    previous: Complaint | undefined,
    next: Complaint,
    policies: ComplaintPolicies,
    context: AuditContext,
    drafts: Array<ReturnType<typeof audited>>,
    writes: Write[] = [],
  ): Promise<void> {
    const key = await this.deps.keys.get(next.customerId);
    const check = isOpenComplaint(next.status) ? nextCheckAt(policies.calendar, next, policies.escalation) : undefined;
    const now = this.deps.clock.now();
    const all = [
      this.deps.repository.write(sealComplaint(key, next, check), previous?.version),
      ...writes,
      ...this.deps.stats.writesFor(previous, next, now, policies.calendar.timeZone, policies),
      ...(this.deps.risk?.writesForComplaint(previous, next, now.toISOString()) ?? []),
    ];
    if (drafts.length) await this.deps.audit.commit(context, drafts, all);
    else await this.deps.store.transact(all);
  }

  /** Sends a notice and records how it went; a failure leaves it pending for the schedule to retry. */
  private async notify(complaint: Complaint, kind: NoticeState['kind'], policies: ComplaintPolicies, context: AuditContext): Promise<Complaint> {
    const notice = complaint.notices.find((n) => n.kind === kind);
    if (!notice) return complaint;
    // Nothing here fails the change it follows, which is stored already: a notice not sent stays pending.
    const address = await this.addressOf(complaint.customerId, context).catch(() => undefined);
    const sent = await attemptNotice(this.deps, notice, address, messageFor(complaint, kind, policies.calendar.timeZone), this.deps.clock.now().toISOString());
    let current = complaint;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      const next: Complaint = { ...current, notices: current.notices.map((n) => (n.kind === kind && n.state === 'pending' ? sent : n)), version: current.version + 1 };
      try {
        await this.save(current, next, policies, context, []);
        return next;
      } catch (error) {
        // The schedule retries a notice whose outcome could not be recorded (it may be sent twice, never lost).
        if (!(error instanceof ConditionFailedError)) return current;
        // Changed meanwhile (another action): record the attempt on what is there now, unless it
        // reads back damaged: writing it would seal its texts again as blanks, losing the evidence.
        const fresh = await this.loadRef(complaint);
        if (!fresh || fresh.integrity) return current;
        current = fresh;
      }
    }
    return current;
  }

  /** What follows a close (a triggered survey): never fails the close, which is stored already. */
  private async closed(complaint: Complaint, context: AuditContext): Promise<void> {
    if (!this.deps.onClosed) return;
    try {
      await this.deps.onClosed(complaint, context);
    } catch (error) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'after-close step failed', complaintId: complaint.id, causeName: (error as Error).name }));
    }
  }

  /** Takes a damaged complaint out of the deadline index, stored as it is otherwise; one run may have done it already. */
  private async unschedule(ref: Ref): Promise<void> {
    const item = await this.deps.repository.find(ref.customerId, ref.id);
    if (!item || item.gsi2pk === undefined) return;
    try {
      await this.deps.store.transact([this.deps.repository.unscheduled(item)]);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  /** The customer's first email, else first phone; undefined when they have neither (or are gone). */
  private async addressOf(customerId: string, context: AuditContext): Promise<NoticeAddress | undefined> {
    try {
      const record = await this.deps.customers.get(customerId, { actor: context.actor, purpose: 'complaint-notice' }, customerViews.dpo.contact!);
      const email = record.emails?.[0];
      const phone = record.phones?.[0];
      if (email) return { channel: 'email', to: email };
      if (phone) return { channel: 'sms', to: phone };
      return undefined;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  private async idempotency(context: AuditContext, idempotencyKey: string, input: CreateComplaintInput) {
    const indexKey = await this.deps.keys.indexKey();
    return { scope: hmac(indexKey, `complaint\n${context.actor.id}\n${idempotencyKey}`), requestHash: hmac(indexKey, canonicalJson(input)) };
  }

  private async replay(idempotency: { scope: string; requestHash: string }, context: AuditContext): Promise<Complaint | undefined> {
    const earlier = await this.deps.repository.findIdempotency(idempotency.scope, this.deps.clock.now());
    if (!earlier) return undefined;
    if (earlier.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReusedError();
    return this.get(earlier.complaintId, context);
  }

  private async load(id: string): Promise<Complaint> {
    const pointer = await this.deps.repository.pointer(id);
    const complaint = pointer && (await this.loadRef({ customerId: pointer.customerId, id }));
    if (!complaint) throw new NotFoundError('No complaint has this id.', 'id');
    return complaint;
  }

  private async loadRef(ref: Ref): Promise<Complaint | undefined> {
    const item = await this.deps.repository.find(ref.customerId, ref.id);
    return item && this.present(item);
  }

  private present(item: ComplaintItem): Promise<Complaint> {
    return this.records.present(item);
  }

}

/** What the customer sees: no staff names, no internal notes, no root cause. */
export function customerView(c: Complaint): CustomerComplaint {
  const respondBy = c.milestones.firstResponse.state === 'active' || c.milestones.firstResponse.state === 'paused' ? c.milestones.firstResponse.dueAt : undefined;
  return {
    id: c.id,
    reference: c.reference,
    channel: c.channel,
    category: c.category,
    severity: c.severity,
    subject: c.subject,
    description: c.description,
    ...(c.desiredOutcome !== undefined ? { desiredOutcome: c.desiredOutcome } : {}),
    receivedAt: c.receivedAt,
    status: c.status,
    ...(respondBy ? { respondBy } : {}),
    ...(c.resolution ? { resolution: { summary: c.resolution.summary, at: c.resolution.at } } : {}),
    ...(c.followUp ? { followUp: { outcome: c.followUp.outcome, ...(c.followUp.rating !== undefined ? { rating: c.followUp.rating } : {}), at: c.followUp.at } } : {}),
  };
}
