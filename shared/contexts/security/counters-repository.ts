import { randomInt } from 'node:crypto';
import { ConditionFailedError, type Store, type StoreItem } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { baselineKey, counterKey, seenKey, type BaselineScope, type CounterKind } from './keys.js';

const T = dataTable.name;
/** Counters outlive their hour by a week: baselines fold an hour in only once its actor's next one starts. */
const COUNTER_TTL_SECONDS = 8 * 24 * 3600;
/** Markers of distinct customers matter for their hour alone. */
const SEEN_TTL_SECONDS = 2 * 24 * 3600;
const BASELINE_ATTEMPTS = 5;
/** Weight of the latest completed hour in a baseline: about the last ten active hours count. */
export const BASELINE_ALPHA = 0.2;
/** A baseline of fewer completed hours says too little to raise a threshold. */
export const MIN_BASELINE_HOURS = 3;

interface CounterItem extends StoreItem {
  count?: number;
  firstMs?: number;
}

/** An EWMA over completed active hours; `openHour` (actors only) is the latest hour not yet folded in. */
export interface BaselineItem extends StoreItem {
  pk: string;
  sk: 'BASELINE';
  ewma: number;
  hours: number;
  openHour?: string;
  version: number;
}

const expiry = (hour: string, seconds: number) => Math.floor(Date.parse(`${hour}:00:00.000Z`) / 1000) + seconds;

/** Per subject-hour counters and hourly baselines of the access detector. */
export class AccessCounterRepository {
  constructor(private readonly store: Store) {}

  /**
   * Adds `by` to one subject-hour counter: one update, which answers the new total. The batch
   * whose add created the counter (its total is its own `by`) also stamps the first entry's
   * time and the expiry: exactly one batch sees that, however many race.
   */
  async add(kind: CounterKind, subject: string, hour: string, by: number, firstMs: number): Promise<{ total: number; created: boolean }> {
    const key = counterKey(kind, subject, hour);
    const total = await this.store.increment(T, key, 'count', by);
    const created = total === by;
    if (created) await this.store.transact([{ op: 'add', table: T, key, counters: { firstMs, expiresAt: expiry(hour, COUNTER_TTL_SECONDS) } }]);
    return { total, created };
  }

  async get(kind: CounterKind, subject: string, hour: string): Promise<{ count: number; firstMs?: number } | undefined> {
    const item = await this.store.get<CounterItem>(T, counterKey(kind, subject, hour));
    if (!item) return undefined;
    return { count: Number(item.count ?? 0), ...(typeof item.firstMs === 'number' && item.firstMs > 0 ? { firstMs: item.firstMs } : {}) };
  }

  /** Marks each customer seen by a customer token in an hour (put if absent); answers how many were new. */
  async markSeen(actor: string, hour: string, customers: Iterable<string>): Promise<number> {
    const results = await Promise.all(
      [...customers].map(async (customerId) => {
        try {
          await this.store.transact([
            { op: 'put', table: T, item: { ...seenKey(actor, hour, customerId), expiresAt: expiry(hour, SEEN_TTL_SECONDS) }, condition: { kind: 'absent' }, label: 'access-seen' },
          ]);
          return 1;
        } catch (error) {
          if (error instanceof ConditionFailedError) return 0;
          throw error;
        }
      }),
    );
    return results.reduce<number>((sum, n) => sum + n, 0);
  }

  async baseline(scope: BaselineScope, id: string): Promise<BaselineItem | undefined> {
    return this.store.get<BaselineItem>(T, baselineKey(scope, id));
  }

  /** The baseline as a threshold may use it: only once enough hours are folded in. */
  async usableBaseline(scope: BaselineScope, id: string): Promise<number | undefined> {
    const item = await this.baseline(scope, id);
    return item && item.hours >= MIN_BASELINE_HOURS ? item.ewma : undefined;
  }

  /**
   * An actor's reads counter for `hour` was just created: the actor's previous active hour is
   * complete, so its count is folded into the actor's baseline (and, by the caller, once per
   * batch into its role's: foldRole). Idle
   * hours are not folded in: a baseline is reads per working hour, which nights and weekends
   * would otherwise dilute. Answers the count folded in, if any.
   */
  async advance(actor: string, hour: string): Promise<number | undefined> {
    for (let attempt = 1; attempt <= BASELINE_ATTEMPTS; attempt++) {
      const current = await this.baseline('actor', actor);
      // Already advanced by a batch of a later (or the same) hour.
      if (current?.openHour && current.openHour >= hour) return undefined;
      const closing = current?.openHour;
      const count = closing ? ((await this.get('reads', actor, closing))?.count ?? 0) : undefined;
      const next: BaselineItem = {
        ...baselineKey('actor', actor),
        ...(count === undefined ? { ewma: current?.ewma ?? 0, hours: current?.hours ?? 0 } : fold(current, count)),
        openHour: hour,
        version: (current?.version ?? 0) + 1,
      };
      if (!(await this.save(next, current?.version))) continue;
      return count;
    }
    return undefined;
  }

  /**
   * Folds the hours a batch completed for actors of one role into the role's baseline: one
   * read and one conditional write per role and batch (one per actor would have every actor
   * of a batch race for the same item, and most folds lost). Another batch changing it first
   * costs a re-read, after a short random pause.
   */
  async foldRole(role: string, counts: number[]): Promise<void> {
    if (!counts.length) return;
    for (let attempt = 1; attempt <= BASELINE_ATTEMPTS; attempt++) {
      const current = await this.baseline('role', role);
      const folded = counts.reduce<Pick<BaselineItem, 'ewma' | 'hours'> | undefined>((baseline, count) => fold(baseline, count), current);
      const next: BaselineItem = { ...baselineKey('role', role), ...folded!, version: (current?.version ?? 0) + 1 };
      if (await this.save(next, current?.version)) return;
      await new Promise((resolve) => setTimeout(resolve, randomInt(5, 20 * attempt)));
    }
  }

  /** False when another batch changed the baseline first (the caller reads it again). */
  private async save(item: BaselineItem, expectedVersion: number | undefined): Promise<boolean> {
    try {
      await this.store.transact([
        { op: 'put', table: T, item, condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion }, label: 'access-baseline' },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }
}

function fold(current: Pick<BaselineItem, 'ewma' | 'hours'> | undefined, count: number): { ewma: number; hours: number } {
  if (!current || current.hours === 0) return { ewma: count, hours: 1 };
  // Rounded: a baseline is a rate per hour, and float noise would only blur equal ones.
  return { ewma: Math.round((BASELINE_ALPHA * count + (1 - BASELINE_ALPHA) * current.ewma) * 1000) / 1000, hours: current.hours + 1 };
}
