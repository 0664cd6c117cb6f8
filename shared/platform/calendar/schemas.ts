import * as z from 'zod/mini';
import type { BusinessCalendar } from './types.js';

/** An IANA name the runtime knows (`Asia/Shanghai`, `Europe/Berlin`, `UTC`); offsets such as `+08:00` are not zones. */
export function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** A real calendar date written `YYYY-MM-DD` (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** Minutes after midnight; NaN for a malformed time (its own field reports that, so checks between fields skip it). */
const minuteOf = (hhmm: string) =>
  /^\d{2}:\d{2}$/.test(hhmm) ? Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5)) : Number.NaN;

const time = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM (00:00 to 23:59)'));
const endTime = z
  .string()
  .check(z.regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a local time HH:MM (00:01 to 24:00)'));

const range = z.strictObject({ start: time, end: endTime }).check(
  z.refine((r) => !(minuteOf(r.end) <= minuteOf(r.start)), { message: 'must be after start', path: ['end'] }),
);

const date = z.string().check(z.refine(isCalendarDate, 'must be a real calendar date YYYY-MM-DD'));
/** Holidays and working dates each: enough for several years of public holidays. */
export const MAX_CALENDAR_DATES = 500;
const dates = z.array(date).check(z.maxLength(MAX_CALENDAR_DATES));

export const businessCalendarSchema = z
  .strictObject({
    timeZone: z
      .string()
      .check(z.maxLength(64), z.refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')),
    workingDays: z.array(z.int().check(z.minimum(1), z.maximum(7))).check(
      z.maxLength(7),
      z.superRefine((days, ctx) => {
        days.forEach((day, i) => {
          if (days.indexOf(day) !== i) {
            ctx.issues.push({ code: 'custom', message: `weekday ${day} is listed twice`, input: day, path: [i] });
          }
        });
      }),
    ),
    hours: z.array(range).check(
      z.minLength(1),
      z.maxLength(8),
      z.superRefine((ranges, ctx) => {
        ranges.forEach((r, i) => {
          const previous = ranges[i - 1];
          if (previous && minuteOf(r.start) < minuteOf(previous.end)) {
            ctx.issues.push({
              code: 'custom',
              message: `must not start before the previous range ends (${previous.end}): ranges ascend and do not overlap`,
              input: r.start,
              path: [i, 'start'],
            });
          }
        });
      }),
    ),
    holidays: dates,
    workingDates: dates,
  })
  .check(
    z.superRefine((calendar, ctx) => {
      const holidays = new Set(calendar.holidays);
      calendar.workingDates.forEach((day, i) => {
        if (holidays.has(day)) {
          ctx.issues.push({
            code: 'custom',
            message: `${day} is both a holiday and a working date`,
            input: day,
            path: ['workingDates', i],
          });
        }
      });
      if (calendar.workingDays.length === 0 && calendar.workingDates.length === 0) {
        ctx.issues.push({
          code: 'custom',
          message: 'name at least one working day or working date',
          input: calendar.workingDays,
          path: ['workingDays'],
        });
      }
    }),
  );

// The schema and the declared type describe the same document.
type Parsed = z.infer<typeof businessCalendarSchema>;
const _sameShape: [Parsed, BusinessCalendar] extends [BusinessCalendar, Parsed] ? true : never = true;
void _sameShape;
