import { UnprocessableError } from '../errors/index.js';
import type { BusinessCalendar } from './types.js';

/**
 * Business-time arithmetic. The walk goes day by day through the calendar's local dates; each
 * working day's ranges are turned into instants with that day's own UTC offset, so a 09:00 in
 * Europe/Berlin is 08:00Z in winter and 07:00Z in summer. Minutes are real elapsed minutes.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far a walk may go (about three years of local days) before it gives up. */
export const MAX_WALK_DAYS = 3 * 366;

/**
 * Mainland China office hours: Monday to Friday, 09:00-12:00 and 13:00-18:00 Asia/Shanghai. It
 * names no dates: public holidays and make-up working days (调休) change every year, so a
 * deployment adds its year's holidays and working dates through PUT /v1/complaint-policies.
 * Frozen: derive a calendar with a spread (`{ ...defaultBusinessCalendar, holidays }`).
 */
export const defaultBusinessCalendar: BusinessCalendar = deepFreeze({
  timeZone: 'Asia/Shanghai',
  workingDays: [1, 2, 3, 4, 5],
  hours: [
    { start: '09:00', end: '12:00' },
    { start: '13:00', end: '18:00' },
  ],
  holidays: [],
  workingDates: [],
});

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

/** The calendar cannot answer: it has no working time in reach. */
export class NoBusinessTimeError extends UnprocessableError {
  constructor(message: string) {
    super(message, 'calendar');
  }
}

interface Compiled {
  timeZone: string;
  workingDays: Set<number>;
  /** Minutes after local midnight, [start, end). */
  ranges: Array<[number, number]>;
  holidays: Set<string>;
  workingDates: Set<string>;
}

/** Business time from `from` on, `minutes` (an integer >= 0) of it later. */
export function addBusinessMinutes(calendar: BusinessCalendar, from: Date, minutes: number): Date {
  if (!Number.isInteger(minutes) || minutes < 0) {
    throw new RangeError('minutes must be an integer of at least 0');
  }
  const start = instantOf(from, 'from');
  const c = compile(calendar);
  if (c.ranges.length === 0 || (c.workingDays.size === 0 && c.workingDates.size === 0)) {
    throw new NoBusinessTimeError(
      'The business calendar has no working time: name working days or working dates, and hours.',
    );
  }
  let remaining = minutes * MINUTE;
  const first = localDay(start, c.timeZone) - 1;
  for (let day = first; day <= first + MAX_WALK_DAYS; day += 1) {
    for (const [s, e] of intervalsOf(c, day)) {
      if (e <= start) continue;
      const at = Math.max(s, start);
      if (remaining <= e - at) return new Date(at + remaining);
      remaining -= e - at;
    }
  }
  throw new NoBusinessTimeError(
    `The business calendar does not reach ${minutes} business minutes within ${MAX_WALK_DAYS} days of the start.`,
  );
}

/** Business minutes (whole, rounded down) between `from` and `to`; 0 when `to` is not after `from`. */
export function businessMinutesBetween(calendar: BusinessCalendar, from: Date, to: Date): number {
  const start = instantOf(from, 'from');
  const end = instantOf(to, 'to');
  if (end <= start) return 0;
  const c = compile(calendar);
  const first = localDay(start, c.timeZone) - 1;
  const last = localDay(end, c.timeZone);
  if (last - first > MAX_WALK_DAYS) {
    throw new RangeError(`from and to may be at most ${MAX_WALK_DAYS} days apart`);
  }
  let total = 0;
  for (let day = first; day <= last; day += 1) {
    for (const [s, e] of intervalsOf(c, day)) {
      const overlap = Math.min(e, end) - Math.max(s, start);
      if (overlap > 0) total += overlap;
    }
  }
  return Math.floor(total / MINUTE);
}

/** Whether `at` falls inside a working range of a working day (a range's end is outside). */
export function isBusinessTime(calendar: BusinessCalendar, at: Date): boolean {
  const instant = instantOf(at, 'at');
  const c = compile(calendar);
  const day = localDay(instant, c.timeZone);
  return [day - 1, day].some((d) => intervalsOf(c, d).some(([s, e]) => s <= instant && instant < e));
}

function instantOf(date: Date, name: string): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new RangeError(`${name} must be a valid date`);
  return ms;
}

function compile(calendar: BusinessCalendar): Compiled {
  formatterOf(calendar.timeZone);
  return {
    timeZone: calendar.timeZone,
    workingDays: new Set(calendar.workingDays),
    ranges: calendar.hours.map(({ start, end }) => [minuteOfDay(start), minuteOfDay(end)]),
    holidays: new Set(calendar.holidays),
    workingDates: new Set(calendar.workingDates),
  };
}

function minuteOfDay(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  const minute = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!match || Number(match[2]) > 59 || minute > 24 * 60) {
    throw new RangeError('hours must be HH:MM from 00:00 to 24:00');
  }
  return minute;
}

/** The instants of a local day's working ranges, or none when the day is not worked. */
function intervalsOf(c: Compiled, day: number): Array<[number, number]> {
  const date = new Date(day * DAY);
  const iso = date.toISOString().slice(0, 10);
  const weekday = ((date.getUTCDay() + 6) % 7) + 1;
  if (c.holidays.has(iso) || !(c.workingDates.has(iso) || c.workingDays.has(weekday))) return [];
  const out: Array<[number, number]> = [];
  for (const [s, e] of c.ranges) {
    const start = instantAtWall(day * DAY + s * MINUTE, c.timeZone);
    const end = instantAtWall(day * DAY + e * MINUTE, c.timeZone);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** Days since 1970-01-01 of the local date of `instant` in the zone. */
function localDay(instant: number, timeZone: string): number {
  return Math.floor((instant + offsetAt(instant, timeZone)) / DAY);
}

/**
 * The instant a local wall-clock time (given as if it were UTC) has in the zone. A time that
 * occurs twice (the autumn change) answers the first; one that does not occur (the spring gap)
 * answers the instant it is moved on to, read with the offset in force before the gap.
 */
function instantAtWall(wall: number, timeZone: string): number {
  const key = `${timeZone}|${wall}`;
  const known = wallInstants.get(key);
  if (known !== undefined) return known;
  if (wallInstants.size >= MAX_CACHED_WALLS) wallInstants.clear();
  const instant = resolveWall(wall, timeZone);
  wallInstants.set(key, instant);
  return instant;
}

/** Range starts and ends already resolved, per zone: a deadline job reads the same weeks over and over. */
const wallInstants = new Map<string, number>();
const MAX_CACHED_WALLS = 20_000;

function resolveWall(wall: number, timeZone: string): number {
  const before = offsetAt(wall - DAY, timeZone);
  const after = offsetAt(wall + DAY, timeZone);
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(t, timeZone) === wall - t);
  return candidates.length > 0 ? Math.min(...candidates) : wall - before;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError('timeZone must be an IANA time zone');
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The zone's UTC offset in milliseconds at `instant` (local = instant + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(instant / 1000) * 1000;
}
