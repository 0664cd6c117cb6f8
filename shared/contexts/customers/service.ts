import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { blindIndex, type DataKeyRing } from '../../platform/crypto/index.js';
import { ConflictError, ForbiddenError, PreconditionFailedError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type IntegrityFailureHandler, type QueryPage } from '../../platform/ports/index.js';
import type { CustomerView } from './access-policy.js';
import { CreatedCustomerErasedError, CustomerNotFoundError, DuplicateContactError, IdempotencyKeyReusedError } from './errors.js';
import {
  audited,
  canonicalJson,
  contactGuards,
  historyEntry,
  hmac,
  listFilters,
  matches,
  normalizePersonal,
  openAll,
  pickClassification,
  reviewCutoff,
  sealAll,
  sealHistory,
  staleVersion,
} from './fields.js';
import { CustomerPresenter } from './presenter.js';
import { CustomerRepository, type ContactGuard, type CustomerItem, type StoredHistoryEntry } from './repository.js';
import { reviewDueAt } from './review-policy.js';
import type { CreateCustomerInput, ListCustomersQuery, UpdateCustomerInput, VerificationInput } from './schemas.js';
import {
  sealedFields,
  type CustomerRecord,
  type DamagedHistoryEntry,
  type DamagedRecord,
  type HistoryEntry,
  type PersonalFields,
  type SealedField,
  type CreateResult,
  type CustomerServiceOptions,
} from './types.js';

const DEFAULT_PAGE = 25;
const VERIFY_ATTEMPTS = 3;

/**
 * Both results once both have settled, so that neither is still running when the caller
 * answers. A failed audit write wins over the read's own failure: the store is what failed.
 */
async function settledTogether<T>(read: Promise<T>, audit: Promise<void>): Promise<[T, void]> {
  const [readResult, auditResult] = await Promise.allSettled([read, audit]);
  if (auditResult.status === 'rejected') throw auditResult.reason;
  if (readResult.status === 'rejected') throw readResult.reason;
  return [readResult.value, undefined];
}

/**
 * Customer records (CR-1 to CR-6): creation with its collection basis, uniqueness on
 * normalized contacts, traced optimistic updates, review schedule and verification, and
 * role views that decrypt only what the view shows.
 */
export class CustomerService {
  private readonly repository: CustomerRepository;
  private readonly presenter: CustomerPresenter;

  constructor(
    private readonly deps: {
      repository: CustomerRepository;
      keys: DataKeyRing;
      clock: Clock;
      audit: AuditTrail;
      onIntegrityFailure: IntegrityFailureHandler;
    },
    private readonly options: CustomerServiceOptions,
  ) {
    this.repository = deps.repository;
    this.presenter = new CustomerPresenter(deps.keys, deps.onIntegrityFailure);
  }

  async create(
    input: CreateCustomerInput,
    context: AuditContext,
    view: CustomerView,
    idempotencyKey?: string,
  ): Promise<CreateResult> {
    const { actor } = context;
    const now = this.deps.clock.now();
    const personal = normalizePersonal(input);
    const indexKey = await this.deps.keys.indexKey();
    const guards = contactGuards(indexKey, personal);
    const idempotency = idempotencyKey
      ? { scope: hmac(indexKey, `${actor.id}\n${idempotencyKey}`), requestHash: hmac(indexKey, canonicalJson(input)) }
      : undefined;

    // Checked again on a conflict: a concurrent request with the same key may have won meanwhile.
    const replayOr = async (error: Error): Promise<CreateResult> => {
      const replay = idempotency && (await this.replay(idempotency, context, view, now));
      if (replay) return replay;
      throw error;
    };
    const replay = idempotency && (await this.replay(idempotency, context, view, now));
    if (replay) return replay;
    const id = randomUUID();
    // No read of the guards first: the transaction's own conditions refuse a taken contact,
    // naming its field. A duplicate then leaves a gap in the numbers, as any failed create may.
    const [number, { key, write: keyWrite }] = await Promise.all([this.repository.nextNumber(), this.deps.keys.create(id, now)]);

    const at = now.toISOString();
    const dueAt = reviewDueAt(this.options.reviewIntervals, input.tier, now);
    const item: CustomerItem = {
      pk: `CUSTOMER#${id}`,
      sk: 'PROFILE',
      kind: 'customer',
      id,
      number,
      type: input.type,
      region: input.region,
      tier: input.tier,
      tags: [...new Set(input.tags)],
      stage: input.stage,
      consumption: input.consumption,
      ...(input.language ? { language: input.language } : {}),
      sealed: sealAll(key, id, personal),
      emailIndexes: guards.filter((g) => g.kind === 'email').map((g) => g.index),
      phoneIndexes: guards.filter((g) => g.kind === 'phone').map((g) => g.index),
      collection: { ...input.collection, collectedAt: at },
      version: 1,
      createdAt: at,
      updatedAt: at,
      createdBy: actor.id,
      reviewDueAt: dueAt,
      ...this.repository.indexKeys({ id, number, reviewDueAt: dueAt, updatedAt: at }),
    };
    const history = sealHistory(key, id, historyEntry(1, at, actor, 'created', Object.keys(input), 'collected'));
    const writes = this.repository.createWrites({
      item,
      keyWrite,
      guards,
      history,
      idempotency: idempotency && {
        ...idempotency,
        expiresAt: Math.floor(now.getTime() / 1000) + this.options.idempotencyTtlSeconds,
      },
    });
    try {
      await this.deps.audit.commit(context, [audited('customer.create', id)], writes);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const field = error.labels.find((label) => /^(emails|phones)\.\d+$/.test(label));
      return replayOr(field ? new DuplicateContactError(field) : new ConflictError('The record changed while it was being created; retry.'));
    }
    this.deps.keys.remember(id, key);
    return { customer: await this.presenter.record(item, view), replayed: false };
  }

  /**
   * One record. Its audit entry is written alongside the read rather than after it, and
   * the answer waits for both: no record leaves unaudited, and a failed audit write fails
   * the read. An attempt on a customer who does not exist is recorded too.
   */
  async get(id: string, context: AuditContext, view: CustomerView): Promise<CustomerRecord> {
    const [record] = await settledTogether(
      this.load(id).then((item) => this.presenter.record(item, view)),
      this.deps.audit.record(context, [audited('customer.read', id)]),
    );
    return record;
  }

  async list(query: ListCustomersQuery, context: AuditContext, view: CustomerView): Promise<QueryPage<CustomerRecord | DamagedRecord>> {
    const page = { limit: query.limit ?? DEFAULT_PAGE, cursor: query.cursor };
    const filters = listFilters(query);
    let result: QueryPage<CustomerItem>;
    if (query.email !== undefined || query.phone !== undefined) {
      // Exact lookup through the blind index: at most one record matches.
      const indexKey = await this.deps.keys.indexKey();
      const lookups = [
        ...(query.email !== undefined ? [this.repository.findByContact('email', blindIndex(indexKey, 'email', query.email))] : []),
        ...(query.phone !== undefined ? [this.repository.findByContact('phone', blindIndex(indexKey, 'phone', query.phone))] : []),
      ];
      const found = await Promise.all(lookups);
      const first = found[0];
      const sameRecord = first && found.every((item) => item?.id === first.id);
      result = { items: sameRecord && matches(first, filters, query.reviewDue, this.deps.clock.now()) ? [first] : [] };
    } else if (query.reviewDue !== undefined) {
      result = await this.repository.listReviewDue(reviewCutoff(query.reviewDue, this.deps.clock.now()), filters, page);
    } else {
      result = await this.repository.list(filters, page);
    }
    const items = await this.presentPage(result.items.filter((item) => !item.erasure), view);
    // A search that finds nobody still looked for somebody: it is recorded too, as a target
    // of its own (one shared id would make one hot index key of every empty search).
    await this.deps.audit.record(
      context,
      items.length ? items.map((c) => audited('customer.list', c.id)) : [{ action: 'customer.search', target: { type: 'search', id: context.actor.requestId ?? randomUUID() } }],
    );
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  async update(
    id: string,
    patch: UpdateCustomerInput,
    expectedVersion: number,
    context: AuditContext,
    view: CustomerView,
  ): Promise<CustomerRecord> {
    const { actor } = context;
    if (patch.legalHolds !== undefined && actor.role !== 'dpo' && actor.role !== 'admin') {
      throw new ForbiddenError('Only the data-protection officer or an administrator sets legal holds.', 'legalHolds');
    }
    const current = await this.load(id);
    if (current.version !== expectedVersion) throw staleVersion(current.version);
    const [key, before] = await this.presenter.opened('customer', id, async () => {
      const key = await this.deps.keys.get(id);
      return [key, openAll(key, current)] as const;
    });
    const { reason, ...changes } = patch;
    const personal = normalizePersonal({ ...before, ...changes } as PersonalFields);
    const now = this.deps.clock.now();
    const at = now.toISOString();

    const changed = Object.keys(changes).filter((field) => {
      const previous = (sealedFields as readonly string[]).includes(field)
        ? personal[field as SealedField] === undefined
          ? undefined
          : before[field as SealedField]
        : current[field];
      const next = (sealedFields as readonly string[]).includes(field) ? personal[field as SealedField] : changes[field as keyof typeof changes];
      return canonicalJson(previous) !== canonicalJson(next);
    });
    if (!changed.length) {
      await this.deps.audit.record(context, [audited('customer.read', id)]);
      return this.presenter.record(current, view);
    }

    const indexKey = await this.deps.keys.indexKey();
    const guards = contactGuards(indexKey, personal);
    const held = new Set([...current.emailIndexes, ...current.phoneIndexes]);
    const addGuards = guards.filter((g) => !held.has(g.index));
    const kept = new Set(guards.map((g) => g.index));
    const releaseGuards = [
      ...current.emailIndexes.filter((i) => !kept.has(i)).map((index) => ({ kind: 'email' as const, index })),
      ...current.phoneIndexes.filter((i) => !kept.has(i)).map((index) => ({ kind: 'phone' as const, index })),
    ];
    // A contact another record holds fails its guard's condition in the transaction (409 naming the field).

    const tier = changes.tier ?? current.tier;
    const dueAt =
      tier === current.tier ? current.reviewDueAt : reviewDueAt(this.options.reviewIntervals, tier, new Date(current.lastVerifiedAt ?? current.createdAt));
    const next: CustomerItem = {
      ...current,
      ...pickClassification(changes),
      tags: changes.tags ? [...new Set(changes.tags)] : current.tags,
      sealed: sealAll(key, id, personal),
      emailIndexes: guards.filter((g) => g.kind === 'email').map((g) => g.index),
      phoneIndexes: guards.filter((g) => g.kind === 'phone').map((g) => g.index),
      version: current.version + 1,
      updatedAt: at,
      reviewDueAt: dueAt,
      ...this.repository.indexKeys({ id, number: current.number, reviewDueAt: dueAt, updatedAt: at }),
    };
    await this.commitUpdate(context, 'customer.update', next, current.version, sealHistory(key, id, historyEntry(next.version, at, actor, 'updated', changed, reason)), addGuards, releaseGuards);
    return this.presenter.record(next, view);
  }

  /** Marks the record verified now and moves its next review out by the tier's interval. */
  async verify(
    id: string,
    input: VerificationInput,
    context: AuditContext,
  ): Promise<{ verifiedAt: string; reviewDueAt: string; version: number }> {
    const { actor } = context;
    // The history entry's reason is sealed like every entry's.
    const key = await this.presenter.opened('customer', id, async () => {
      await this.load(id); // a customer who does not exist is a 404, not a missing key
      return this.deps.keys.get(id);
    });
    for (let attempt = 1; ; attempt++) {
      const current = await this.load(id);
      const now = this.deps.clock.now();
      const at = now.toISOString();
      const dueAt = reviewDueAt(this.options.reviewIntervals, current.tier, now);
      const next: CustomerItem = {
        ...current,
        version: current.version + 1,
        updatedAt: at,
        lastVerifiedAt: at,
        reviewDueAt: dueAt,
        ...this.repository.indexKeys({ id, number: current.number, reviewDueAt: dueAt, updatedAt: at }),
      };
      const fields = input.fields ?? ['name', 'emails', 'phones', 'addresses'];
      try {
        await this.commitUpdate(context, 'customer.verify', next, current.version, sealHistory(key, id, historyEntry(next.version, at, actor, 'verified', fields, input.method)), [], []);
        return { verifiedAt: at, reviewDueAt: dueAt, version: next.version };
      } catch (error) {
        // A verification does not depend on the record's content: retry on a concurrent change.
        if (!(error instanceof PreconditionFailedError) || attempt >= VERIFY_ATTEMPTS) throw error;
      }
    }
  }

  /** How many records are due for review now (CR-5); for the daily reminder metric. */
  async countDueForReview(): Promise<number> {
    let count = 0;
    await this.repository.forEachReviewDue(this.deps.clock.now().toISOString(), (items) => {
      count += items.length;
    });
    return count;
  }

  async history(
    id: string,
    context: AuditContext,
    page: { limit?: number; cursor?: string },
  ): Promise<QueryPage<HistoryEntry | DamagedHistoryEntry>> {
    await this.load(id);
    const stored = await this.repository.history(id, { limit: page.limit ?? DEFAULT_PAGE, cursor: page.cursor });
    const items = await this.presenter.history(id, stored.items);
    await this.deps.audit.record(context, [audited('customer.history', id)]);
    return stored.cursor ? { items, cursor: stored.cursor } : { items };
  }

  private async load(id: string): Promise<CustomerItem> {
    const item = await this.repository.find(id);
    if (!item || item.erasure) throw new CustomerNotFoundError();
    return item;
  }

  private async commitUpdate(
    context: AuditContext,
    action: string,
    item: CustomerItem,
    expectedVersion: number,
    history: StoredHistoryEntry,
    addGuards: ContactGuard[],
    releaseGuards: Array<{ kind: 'email' | 'phone'; index: string }>,
  ): Promise<void> {
    try {
      const writes = this.repository.updateWrites({ item, expectedVersion, history, addGuards, releaseGuards });
      await this.deps.audit.commit(context, [audited(action, item.id)], writes);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const field = error.labels.find((label) => /^(emails|phones)\.\d+$/.test(label));
      if (field) throw new DuplicateContactError(field);
      throw staleVersion();
    }
  }

  private async replay(
    idempotency: { scope: string; requestHash: string },
    context: AuditContext,
    view: CustomerView,
    now: Date,
  ): Promise<CreateResult | undefined> {
    const earlier = await this.repository.findIdempotency(idempotency.scope, now);
    if (!earlier) return undefined;
    if (earlier.requestHash !== idempotency.requestHash) throw new IdempotencyKeyReusedError();
    // The key outlives an erasure of what it created: say so, rather than "no such id".
    const created = await this.repository.find(earlier.customerId);
    if (!created || created.erasure) throw new CreatedCustomerErasedError();
    return { customer: await this.get(earlier.customerId, context, view), replayed: true };
  }

  /** Records as a view shows them, without auditing; a damaged one fails the call (IntegrityError). */
  present(items: CustomerItem[], view: CustomerView): Promise<CustomerRecord[]> {
    return this.presenter.records(items, view);
  }

  /** Records as a view shows them, for a page of a list: a damaged one is marked, not fatal. */
  presentPage(items: CustomerItem[], view: CustomerView): Promise<Array<CustomerRecord | DamagedRecord>> {
    return this.presenter.page(items, view);
  }
}
