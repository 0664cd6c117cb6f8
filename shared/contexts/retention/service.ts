import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { ErasureService } from '../erasure/index.js';
import { activeHolds, holdsCategory, PROFILE_RETENTION, type CustomerItem } from '../customers/index.js';
import { INTERACTION_RETENTION } from '../interactions/index.js';
import { HELD_REMAINDER, RESUME_ERASURE_AFTER_MS } from '../erasure/index.js';
import type { Clock, DomainEvent, EventPublisher, Store, StoreItem } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { defaultIndexShards, forEachSharded, type IndexShards } from '../../platform/store/sharded.js';
import type { RetentionPolicy } from './schemas.js';
import type { SweepResult } from './types.js';

const T = dataTable.name;
const POLICIES_KEY = { pk: 'RETENTION', sk: 'POLICIES' };
const DAY_MS = 86_400_000;
const PAGE = 500;

/**
 * Retention (RET-1, RET-2): a policy per data category; a sweep finds what has expired
 * through the retention index (never a table scan), destroys expired interactions with a
 * certificate per customer, and hands expired customers to the erasure queue.
 */
export class RetentionService {
  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      audit: AuditTrail;
      erasure: ErasureService;
      events: EventPublisher;
      /** Shard counts of the retention partitions read (profiles, interactions, held remainders). */
      indexShards?: IndexShards;
    },
  ) {}

  private get shards(): IndexShards {
    return this.deps.indexShards ?? defaultIndexShards;
  }

  async policies(): Promise<RetentionPolicy[]> {
    const item = await this.deps.store.get<StoreItem & { policies: RetentionPolicy[] }>(T, POLICIES_KEY);
    return item?.policies ?? [];
  }

  async putPolicies(policies: RetentionPolicy[], context: AuditContext): Promise<RetentionPolicy[]> {
    await this.deps.audit.commit(context, [{ action: 'retention.policies', target: { type: 'purpose', id: 'retention' } }], [
      { op: 'put', table: T, item: { ...POLICIES_KEY, policies, updatedAt: this.deps.clock.now().toISOString(), updatedBy: context.actor.id } },
    ]);
    return policies;
  }

  async sweep(context: AuditContext): Promise<SweepResult> {
    const now = this.deps.clock.now();
    const sweepId = randomUUID();
    const policies = new Map((await this.policies()).map((p) => [p.category, p]));
    let interactionsDestroyed = 0;

    const interactionPolicy = policies.get('interaction');
    if (interactionPolicy) {
      const byCustomer = new Map<string, Array<{ pk: string; sk: string }>>();
      await this.expired(INTERACTION_RETENTION, this.shards.interactions, cutoff(now, interactionPolicy), (item) => {
        const customerId = String(item.customerId);
        byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), { pk: String(item.pk), sk: String(item.sk) }]);
      });
      // Interactions a legal hold keeps stay past their retention (DSR-3).
      const profiles = await this.deps.store.getMany<CustomerItem>(T, [...byCustomer.keys()].map((id) => ({ pk: `CUSTOMER#${id}`, sk: 'PROFILE' })));
      for (const profile of profiles) {
        if (holdsCategory(activeHolds(profile, now), 'interactions')) byCustomer.delete(profile.id);
      }
      for (const [customerId, keys] of byCustomer) {
        await this.deps.erasure.expireInteractions(customerId, keys, sweepId);
        interactionsDestroyed += keys.length;
      }
    }

    const queue: DomainEvent[] = [];
    const at = now.toISOString();
    const expire = (customerId: string, cause: string = sweepId) =>
      queue.push({ type: 'RetentionExpired', id: `${cause}:${customerId}:${sweepId}`, at, detail: { sweepId: cause, customerId } });
    const profilePolicy = policies.get('profile');
    if (profilePolicy) {
      const stuckBefore = new Date(now.getTime() - RESUME_ERASURE_AFTER_MS).toISOString();
      await this.expired(PROFILE_RETENTION, this.shards.customers, cutoff(now, profilePolicy), (item) => {
        const profile = item as CustomerItem;
        if (!profile.erasure) {
          // A hold of the whole record keeps it; one of some categories narrows the erasure.
          if (!activeHolds(profile, now).some((hold) => !hold.categories)) expire(profile.id);
          // An erasure of this sweep's making that has not finished long after it started
          // (its message lost or dead-lettered): handed on again as what it was.
        } else if (profile.erasure.cause && 'sweepId' in profile.erasure.cause && profile.erasure.startedAt < stuckBefore) {
          expire(profile.id, profile.erasure.cause.sweepId);
        }
      });
    }
    // What legal holds kept back from an erasure, once the last of them has ended (any policy or none).
    await this.expired(HELD_REMAINDER, this.shards.erasures, now.toISOString().slice(0, 10), (item) => expire(String(item.id)));
    // In batches: the erasure queue's consumer reports failures per message.
    for (let i = 0; i < queue.length; i += 10) await this.deps.events.publish(queue.slice(i, i + 10));
    await this.deps.audit.record(context, [{ action: 'retention.sweep', target: { type: 'purpose', id: 'retention' } }]);
    return { sweepId, at, interactionsDestroyed, customersQueued: queue.length };
  }

  /** Every item of a sharded retention partition whose clock started before `before`: all shards, merged. */
  private async expired(prefix: string, shards: number, before: string, each: (item: StoreItem) => void): Promise<void> {
    await forEachSharded<StoreItem>(
      this.deps.store,
      { table: T, index: 'gsi3', partition: { name: 'gsi3pk', prefix, shards, legacy: true }, range: { name: 'gsi3sk', to: before }, limit: PAGE },
      (items) => items.forEach(each),
    );
  }
}

/** Records whose clock started before this have expired. */
const cutoff = (now: Date, policy: RetentionPolicy) => new Date(now.getTime() - policy.retainDays * DAY_MS).toISOString();
