import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../audit/index.js';
import type { ErasureService } from '../erasure/index.js';
import { activeHolds } from '../customers/index.js';
import type { ProcessingFlags } from '../customers/types.js';
import type { Clock, DomainEvent, EventPublisher, Store, StoreItem } from '../ports/index.js';
import { dataTable } from '../store/tables.js';
import type { RetentionCategory, RetentionPolicy } from './schemas.js';

const T = dataTable.name;
const POLICIES_KEY = { pk: 'RETENTION', sk: 'POLICIES' };
const DAY_MS = 86_400_000;
const PAGE = 500;

export interface SweepResult {
  sweepId: string;
  at: string;
  interactionsDestroyed: number;
  customersQueued: number;
}

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
    },
  ) {}

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
    let customersQueued = 0;

    const interactionPolicy = policies.get('interaction');
    if (interactionPolicy) {
      const byCustomer = new Map<string, Array<{ pk: string; sk: string }>>();
      await this.expired('interaction', cutoff(now, interactionPolicy), (item) => {
        const customerId = String(item.customerId);
        byCustomer.set(customerId, [...(byCustomer.get(customerId) ?? []), { pk: String(item.pk), sk: String(item.sk) }]);
      });
      for (const [customerId, keys] of byCustomer) {
        await this.deps.erasure.expireInteractions(customerId, keys, sweepId);
        interactionsDestroyed += keys.length;
      }
    }

    const profilePolicy = policies.get('profile');
    if (profilePolicy) {
      const batch: DomainEvent[] = [];
      const at = now.toISOString();
      await this.expired('profile', cutoff(now, profilePolicy), (item) => {
        if (item.erasure || activeHolds(item as ProcessingFlags, now).length) return;
        batch.push({ type: 'RetentionExpired', id: `${sweepId}:${String(item.id)}`, at, detail: { sweepId, customerId: String(item.id) } });
      });
      // In batches: the erasure queue's consumer reports failures per message.
      for (let i = 0; i < batch.length; i += 10) await this.deps.events.publish(batch.slice(i, i + 10));
      customersQueued = batch.length;
    }
    await this.deps.audit.record(context, [{ action: 'retention.sweep', target: { type: 'purpose', id: 'retention' } }]);
    return { sweepId, at: now.toISOString(), interactionsDestroyed, customersQueued };
  }

  private async expired(category: RetentionCategory, before: string, each: (item: StoreItem) => void): Promise<void> {
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.query<StoreItem>({
        table: T,
        index: 'gsi3',
        partition: { name: 'gsi3pk', value: `RETAIN#${category}` },
        range: { name: 'gsi3sk', to: before },
        limit: PAGE,
        ...(cursor ? { cursor } : {}),
      });
      page.items.forEach(each);
      cursor = page.cursor;
    } while (cursor);
  }
}

/** Records whose clock started before this have expired. */
const cutoff = (now: Date, policy: RetentionPolicy) => new Date(now.getTime() - policy.retainDays * DAY_MS).toISOString();
