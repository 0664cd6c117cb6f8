import type { Store } from '../../platform/ports/index.js';
import { ComplaintStatsReader, DURATION_BOUNDS, OVERFLOW_BUCKET, addDays, dayNumber, mergeCounters, type Counters } from './stats.js';
import type { ImprovementActionService } from './improvements.js';
import type { ComplaintReport, ComplaintReportFigures, ComplaintReportQuery, ReportInterval } from './report-schemas.js';

const TOP_ROOT_CAUSES = 10;

/** `<prefix><code>` counters as `{ code: count }`. */
function byPrefix(counters: Counters, prefix: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(counters)) {
    if (name.startsWith(prefix) && value !== 0) out[name.slice(prefix.length)] = value;
  }
  return out;
}

/**
 * The percentile of a histogram as its bucket's upper bound (`p50 <= X minutes`): the first
 * bucket whose running count reaches `ceil(p x n)`. Null without durations, or beyond the last bound.
 */
export function percentile(counters: Counters, prefix: string, p: number): number | null {
  const buckets = Array.from({ length: OVERFLOW_BUCKET + 1 }, (_, i) => counters[`${prefix}:b${i}`] ?? 0);
  const count = buckets.reduce((a, b) => a + b, 0);
  if (count <= 0) return null;
  const rank = Math.max(1, Math.ceil(p * count));
  let running = 0;
  for (let i = 0; i < buckets.length; i++) {
    running += buckets[i]!;
    if (running >= rank) return i === OVERFLOW_BUCKET ? null : DURATION_BOUNDS[i]!;
  }
  return null;
}

const durations = (counters: Counters, prefix: string) => {
  const count = Object.entries(counters).filter(([name]) => name.startsWith(`${prefix}:b`)).reduce((sum, [, value]) => sum + value, 0);
  return { count, p50: percentile(counters, prefix, 0.5), p90: percentile(counters, prefix, 0.9) };
};

const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/** The report's figures from summed counters. */
export function figuresOf(c: Counters): ComplaintReportFigures {
  const n = (name: string) => c[name] ?? 0;
  const met = (milestone: string) => ratio(n(`met:${milestone}`), n(`met:${milestone}`) + n(`missed:${milestone}`));
  const reached = n('followUp:satisfied') + n('followUp:not-satisfied');
  const causes = Object.entries(byPrefix(c, 'cause:'))
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1))
    .slice(0, TOP_ROOT_CAUSES);
  return {
    received: n('received'),
    byCategory: byPrefix(c, 'category:'),
    byChannel: byPrefix(c, 'channel:'),
    byDepartment: byPrefix(c, 'department:'),
    bySeverity: byPrefix(c, 'severity:'),
    acknowledged: n('acknowledged'),
    resolved: n('resolved'),
    ackMinutes: durations(c, 'tta'),
    resolveMinutes: durations(c, 'ttr'),
    metWithinLimit: { acknowledge: met('acknowledge'), firstResponse: met('firstResponse'), resolve: met('resolve') },
    reopenRate: ratio(n('reopened'), n('resolved')),
    followUp: {
      count: n('followUps'),
      satisfiedShare: ratio(n('followUp:satisfied'), reached),
      meanRating: ratio(n('ratingSum'), n('ratingCount')),
      ratings: byPrefix(c, 'rating:'),
    },
    escalations: byPrefix(c, 'escalated:'),
    topRootCauses: causes,
  };
}

/** The period a local day belongs to: the day, its ISO week (`2026-W49`, Monday first) or its month. */
export function periodOf(date: string, interval: ReportInterval): string {
  if (interval === 'day') return date;
  if (interval === 'month') return date.slice(0, 7);
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  const thursday = addDays(date, 3 - weekday);
  const year = thursday.slice(0, 4);
  const week = Math.floor((dayNumber(thursday) - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The complaints report (CMP-4): what came in, by category, channel, department and
 * severity; how fast it was acknowledged and resolved; which limits were met; reopenings,
 * follow-ups and satisfaction; the top root causes; and the improvement actions recorded
 * against them with their measured effect. Built from the day aggregates alone (stats.ts),
 * so it holds no customer and survives every erasure.
 */
export class ComplaintReportService {
  constructor(
    private readonly deps: {
      store: Store;
      shards: number;
      /** The calendar's time zone (its local days are the report's days). */
      timeZone: () => Promise<string> | string;
      improvements: ImprovementActionService;
    },
  ) {}

  async report(query: ComplaintReportQuery): Promise<ComplaintReport> {
    const interval = query.interval ?? 'day';
    const timeZone = await this.deps.timeZone();
    const reader = new ComplaintStatsReader(this.deps.store, this.deps.shards);
    const days = await reader.range(query.from, query.to);
    const periods = new Map<string, { start: string; end: string; counters: Counters }>();
    const totals: Counters = {};
    for (const [day, counters] of days) {
      const period = periodOf(day, interval);
      const entry = periods.get(period) ?? { start: day, end: day, counters: {} };
      entry.end = day;
      mergeCounters(entry.counters, counters);
      mergeCounters(totals, counters);
      periods.set(period, entry);
    }
    const series = [...periods].map(([period, { start, end, counters }]) => ({ period, start, end, ...figuresOf(counters) }));
    const improvementActions = await this.deps.improvements.during(query.from, query.to, reader, timeZone);
    return { from: query.from, to: query.to, interval, timeZone, series, totals: figuresOf(totals), improvementActions };
  }
}
