import type { Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { shardOf } from '../../platform/store/sharded.js';
import { defaultComplaintPolicies } from './policies.js';
import { complaintCodePattern } from './policy-schemas.js';
import { dateOfDay, dayNumber } from './report-schemas.js';
import { milestoneNames, type Complaint, type ComplaintPolicies, type ComplaintStatsWriter } from './types.js';

/**
 * Report aggregates (CMP-4). Every change of a complaint adds to one counter item, of the
 * local day (in the calendar's time zone) the change happened on and of the complaint's
 * shard, in the same transaction as the change:
 *
 *   pk = STATS#complaints#<YYYY-MM-DD>#<shard>, sk = STATS
 *
 * The counters are numbers under flat names; they hold codes and counts only, never an id
 * or a word of the customer's, so they outlive the customer's erasure. A report reads
 * days x shards items (reports.ts), however many complaints there are.
 *
 * Counters:
 * - intake: `received`, `category:<c>`, `channel:<c>`, `severity:<s>`;
 * - routing: `department:<d>` (a department of the policies' list) when a complaint first gets a department or moves to another
 *   (at intake, or by an assignment);
 * - first acknowledgement: `acknowledged`, `tta:b<i>` (time to acknowledge);
 * - each resolution: `resolved`, `ttr:b<i>` (time to resolve), `cause:<root cause>` (of the list),
 *   `met:resolve` or `missed:resolve`; at the first resolution also `met:`/`missed:` of
 *   `acknowledge` and `firstResponse` (their outcome is final by then and counted once);
 * - follow-up: `followUps`, `followUp:<outcome>`, and with a rating `ratingSum`,
 *   `ratingCount`, `rating:<1-5>`;
 * - reopening: `reopened`; escalation: `escalated:<level>` for each level newly reached.
 *
 * Times to acknowledge and resolve are elapsed wall-clock minutes from `receivedAt` to the
 * change (not business minutes: the limits are business time, but how long a customer
 * waited is what the report shows), counted in fixed histogram buckets: bucket `i` holds
 * durations above `DURATION_BOUNDS[i - 1]` up to and including `DURATION_BOUNDS[i]`, and
 * bucket `DURATION_BOUNDS.length` everything longer.
 */

export const STATS_PREFIX = 'STATS#complaints';
export const STATS_SK = 'STATS';

/** Upper bounds of the duration buckets, in minutes (the last one is 30 days). */
export const DURATION_BOUNDS = [
  1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 960, 1440, 2880, 4320, 7200, 10080, 20160, 43200,
] as const;
/** The bucket of everything longer than the last bound. */
export const OVERFLOW_BUCKET = DURATION_BOUNDS.length;

/** The bucket a duration in minutes falls in. */
export function bucketOf(minutes: number): number {
  const index = DURATION_BOUNDS.findIndex((bound) => minutes <= bound);
  return index === -1 ? OVERFLOW_BUCKET : index;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date `YYYY-MM-DD` of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The key of one day's counters in one shard. */
export const statsKey = (day: string, shard: number): StoreItem => ({ pk: `${STATS_PREFIX}#${day}#${shard}`, sk: STATS_SK });

/** Codes become part of counter names only when they are codes (bounded, no free text). */
const code = (value: string | undefined): string | undefined =>
  value !== undefined && complaintCodePattern.test(value) ? value : undefined;

/** The lists whose codes a counter name may carry: the policies in force. */
export type StatsCodes = Pick<ComplaintPolicies, 'departments' | 'rootCauses'>;
interface KnownCodes {
  departments: ReadonlySet<string>;
  rootCauses: ReadonlySet<string>;
}
const knownOf = new WeakMap<StatsCodes, KnownCodes>();
/** The code sets of a policy document, made once per document read. */
function known(lists: StatsCodes): KnownCodes {
  let sets = knownOf.get(lists);
  if (!sets) {
    sets = { departments: new Set(lists.departments.map((d) => d.code)), rootCauses: new Set(lists.rootCauses.map((c) => c.code)) };
    knownOf.set(lists, sets);
  }
  return sets;
}

const MINUTE_MS = 60_000;

export class ComplaintStats implements ComplaintStatsWriter {
  /** @param options.shards the complaints family's shard count (the same as the complaint indexes') */
  constructor(private readonly options: { shards: number }) {}

  /**
   * @param timeZone the calendar's (an IANA name), whose local day `at` is counted on; the default calendar's without one
   * @param codes the policies in force: only their departments and root causes are counted (the defaults' without them)
   */
  writesFor(previous: Complaint | undefined, next: Complaint, at: Date, timeZone?: string, codes?: StatsCodes): Write[] {
    const counters = this.counters(previous, next, at, codes);
    if (!Object.keys(counters).length) return [];
    const key = statsKey(localDate(at, timeZone ?? defaultComplaintPolicies.calendar.timeZone), shardOf(next.id, this.options.shards));
    return [{ op: 'add', table: dataTable.name, key, counters, label: 'complaint-stats' }];
  }

  /**
   * What this change adds, by counter name. A department or root cause is counted only when
   * the policies list it: the code pattern alone lets any short lowercase text through (a name,
   * a phone number written as words), and every distinct code would be one more attribute of a
   * day's item, without bound (an item holds at most 400 KB) and kept after the customer's erasure.
   */
  counters(previous: Complaint | undefined, next: Complaint, at: Date, codes: StatsCodes = defaultComplaintPolicies): Record<string, number> {
    const lists = known(codes);
    const counters: Record<string, number> = {};
    const add = (name: string, by = 1) => {
      counters[name] = (counters[name] ?? 0) + by;
    };
    const minutes = (at.getTime() - Date.parse(next.receivedAt)) / MINUTE_MS;
    const before = previous?.history ?? [];
    const added = next.history.slice(before.length);
    const happened = (action: string) => added.some((entry) => entry.action === action);
    const happenedBefore = (action: string) => before.some((entry) => entry.action === action);

    if (!previous) {
      add('received');
      const category = code(next.category);
      if (category) add(`category:${category}`);
      add(`channel:${next.channel}`);
      add(`severity:${next.severity}`);
    }
    const department = next.department;
    if (department && lists.departments.has(department) && department !== previous?.department) add(`department:${department}`);

    if (happened('acknowledge') && !happenedBefore('acknowledge')) {
      add('acknowledged');
      add(`tta:b${bucketOf(minutes)}`);
    }
    if (happened('resolve')) {
      add('resolved');
      add(`ttr:b${bucketOf(minutes)}`);
      const cause = next.resolution?.rootCause;
      if (cause && lists.rootCauses.has(cause)) add(`cause:${cause}`);
      const first = !happenedBefore('resolve');
      for (const name of milestoneNames) {
        if (name === 'followUp' || (name !== 'resolve' && !first)) continue;
        const state = next.milestones[name]?.state;
        if (state === 'met' || state === 'missed') add(`${state}:${name}`);
      }
    }
    if (happened('follow-up') && next.followUp) {
      add('followUps');
      add(`followUp:${next.followUp.outcome}`);
      const rating = next.followUp.rating;
      if (rating !== undefined && Number.isInteger(rating) && rating >= 1 && rating <= 5) {
        add('ratingSum', rating);
        add('ratingCount');
        add(`rating:${rating}`);
      }
    }
    if (happened('reopen')) add('reopened');

    const reached = new Set((previous?.escalations ?? []).map((step) => step.level));
    for (const step of next.escalations) {
      if (reached.has(step.level)) continue;
      reached.add(step.level);
      add(`escalated:${step.level}`);
    }
    return counters;
  }
}

export { addDays, dateOfDay, dayNumber } from './report-schemas.js';

/** Counters by name; absent ones are 0. */
export type Counters = Record<string, number>;

/** Adds counters into `into`. */
export function mergeCounters(into: Counters, from: Counters): Counters {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
  return into;
}

const KEYS_PER_READ = 100;
const PARALLEL_READS = 4;

/**
 * Reads the aggregates of whole days: every shard of each day by key (BatchGet, 100 keys a
 * call), never a scan, so a year costs 366 x shards items whatever the number of complaints.
 * Days read once are kept for the reader's life (one report or one listing).
 */
export class ComplaintStatsReader {
  private readonly days = new Map<string, Counters>();

  constructor(
    private readonly store: Store,
    private readonly shards: number,
  ) {}

  /** The counters of each day from `from` to `to` (inclusive), summed over the shards. */
  async range(from: string, to: string): Promise<Map<string, Counters>> {
    const wanted: string[] = [];
    for (let day = dayNumber(from); day <= dayNumber(to); day++) wanted.push(dateOfDay(day));
    await this.load(wanted.filter((day) => !this.days.has(day)));
    return new Map(wanted.map((day) => [day, this.days.get(day) ?? {}]));
  }

  /** Reads every day of these spans not read yet, all at once (then `range` and `total` answer from memory). */
  async preload(spans: Array<[from: string, to: string]>): Promise<void> {
    const missing = new Set<string>();
    for (const [from, to] of spans) {
      for (let day = dayNumber(from); day <= dayNumber(to); day++) if (!this.days.has(dateOfDay(day))) missing.add(dateOfDay(day));
    }
    await this.load([...missing]);
  }

  /** The counters of the days from `from` to `to`, summed. */
  async total(from: string, to: string): Promise<Counters> {
    const total: Counters = {};
    if (to < from) return total;
    for (const counters of (await this.range(from, to)).values()) mergeCounters(total, counters);
    return total;
  }

  private async load(days: string[]): Promise<void> {
    const keys = days.flatMap((day) => Array.from({ length: this.shards }, (_, shard) => statsKey(day, shard)));
    const chunks: StoreItem[][] = [];
    for (let i = 0; i < keys.length; i += KEYS_PER_READ) chunks.push(keys.slice(i, i + KEYS_PER_READ));
    for (const day of days) this.days.set(day, {});
    for (let i = 0; i < chunks.length; i += PARALLEL_READS) {
      const pages = await Promise.all(chunks.slice(i, i + PARALLEL_READS).map((chunk) => this.store.getMany<StoreItem>(dataTable.name, chunk)));
      for (const item of pages.flat()) {
        const day = /^STATS#complaints#(\d{4}-\d{2}-\d{2})#\d+$/.exec(String(item.pk))?.[1];
        const counters = day === undefined ? undefined : this.days.get(day);
        if (!counters) continue;
        for (const [name, value] of Object.entries(item)) {
          if (name !== 'pk' && name !== 'sk' && typeof value === 'number') counters[name] = (counters[name] ?? 0) + value;
        }
      }
    }
  }
}
