import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  businessCalendarSchema,
  businessMinutesBetween,
  defaultBusinessCalendar,
  isBusinessTime,
  NoBusinessTimeError,
  type BusinessCalendar,
} from '../../shared/platform/calendar/index.js';

/** Asia/Shanghai, Mon-Fri, 09:00-12:00 and 13:00-18:00 (UTC+8 all year). */
const shanghai: BusinessCalendar = { ...defaultBusinessCalendar };
const at = (iso: string) => new Date(iso);
const add = (calendar: BusinessCalendar, from: string, minutes: number) =>
  addBusinessMinutes(calendar, at(from), minutes).toISOString();

/**
 * China's National Day week 2026 as an example calendar (the dates are an example, not an
 * official notice): 1-7 October off, Sunday 27 September and Saturday 10 October worked.
 */
const nationalDay2026: BusinessCalendar = {
  ...defaultBusinessCalendar,
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  workingDates: ['2026-09-27', '2026-10-10'],
};

/** Europe/Berlin, Mon-Fri 09:00-17:00; summer time ends on Sunday 2026-10-25 (03:00 CEST -> 02:00 CET). */
const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  workingDays: [1, 2, 3, 4, 5],
  hours: [{ start: '09:00', end: '17:00' }],
  holidays: [],
  workingDates: [],
};

describe('addBusinessMinutes', () => {
  it('carries a limit over the weekend', () => {
    // Friday 2026-12-04 17:00 Shanghai: one hour left that day, the second hour on Monday.
    expect(add(shanghai, '2026-12-04T17:00:00+08:00', 120)).toBe('2026-12-07T02:00:00.000Z'); // Mon 10:00
    expect(add(shanghai, '2026-12-04T17:00:00+08:00', 60)).toBe('2026-12-04T10:00:00.000Z'); // Fri 18:00
  });

  it('skips the lunch break between ranges', () => {
    expect(add(shanghai, '2026-12-07T11:30:00+08:00', 60)).toBe('2026-12-07T05:30:00.000Z'); // 13:30
    expect(add(shanghai, '2026-12-07T09:00:00+08:00', 480)).toBe('2026-12-07T10:00:00.000Z'); // 18:00
    expect(add(shanghai, '2026-12-07T09:00:00+08:00', 481)).toBe('2026-12-08T01:01:00.000Z'); // Tue 09:01
  });

  it('starts counting at the next business moment when it starts outside hours', () => {
    expect(add(shanghai, '2026-12-05T10:00:00+08:00', 0)).toBe('2026-12-07T01:00:00.000Z'); // Sat -> Mon 09:00
    expect(add(shanghai, '2026-12-05T10:00:00+08:00', 30)).toBe('2026-12-07T01:30:00.000Z');
    expect(add(shanghai, '2026-12-07T07:00:00+08:00', 0)).toBe('2026-12-07T01:00:00.000Z'); // before 09:00
    expect(add(shanghai, '2026-12-07T12:30:00+08:00', 0)).toBe('2026-12-07T05:00:00.000Z'); // lunch -> 13:00
    expect(add(shanghai, '2026-12-07T18:00:00+08:00', 0)).toBe('2026-12-08T01:00:00.000Z'); // 18:00 is closed
    expect(add(shanghai, '2026-12-07T10:15:00+08:00', 0)).toBe('2026-12-07T02:15:00.000Z'); // in hours: itself
  });

  it('skips a public holiday', () => {
    const calendar = { ...shanghai, holidays: ['2026-12-07'] }; // an example holiday on a Monday
    expect(add(calendar, '2026-12-04T17:00:00+08:00', 120)).toBe('2026-12-08T02:00:00.000Z'); // Tue 10:00
    expect(isBusinessTime(calendar, at('2026-12-07T10:00:00+08:00'))).toBe(false);
  });

  it('works a make-up Saturday', () => {
    const calendar = { ...shanghai, workingDates: ['2026-12-05'] };
    expect(add(calendar, '2026-12-04T17:00:00+08:00', 120)).toBe('2026-12-05T02:00:00.000Z'); // Sat 10:00
    expect(isBusinessTime(calendar, at('2026-12-05T10:00:00+08:00'))).toBe(true);
    expect(isBusinessTime(shanghai, at('2026-12-05T10:00:00+08:00'))).toBe(false);
  });

  it('spans the National Day week with its make-up days', () => {
    // Wed 30 Sep 10:00 + 3 working days (1440 min): 420 on Wed, none 1-7 Oct, 480 Thu 8, 480 Fri 9,
    // the last 60 on the make-up Saturday 10 October.
    expect(add(nationalDay2026, '2026-09-30T10:00:00+08:00', 1440)).toBe('2026-10-10T02:00:00.000Z');
    // Without the holidays and make-up days the same limit ends on Monday 5 October at 10:00.
    expect(add(shanghai, '2026-09-30T10:00:00+08:00', 1440)).toBe('2026-10-05T02:00:00.000Z');
    // From Saturday 26 September the count starts on the make-up Sunday.
    expect(add(nationalDay2026, '2026-09-26T12:00:00+08:00', 0)).toBe('2026-09-27T01:00:00.000Z');
    expect(
      businessMinutesBetween(nationalDay2026, at('2026-09-30T18:00:00+08:00'), at('2026-10-08T09:00:00+08:00')),
    ).toBe(0);
  });

  it('converts local hours with each day’s offset across the DST change', () => {
    // Fri 23 Oct 16:00 CEST (14:00Z): 60 minutes on Friday, 60 on Monday from 09:00 CET (08:00Z).
    expect(add(berlin, '2026-10-23T14:00:00Z', 120)).toBe('2026-10-26T09:00:00.000Z');
    expect(add(berlin, '2026-10-23T06:00:00Z', 0)).toBe('2026-10-23T07:00:00.000Z'); // 09:00 CEST
    expect(add(berlin, '2026-10-24T12:00:00Z', 0)).toBe('2026-10-26T08:00:00.000Z'); // 09:00 CET
    expect(isBusinessTime(berlin, at('2026-10-26T07:30:00Z'))).toBe(false); // 08:30 CET
    expect(isBusinessTime(berlin, at('2026-10-26T08:00:00Z'))).toBe(true);
    // The same instants in Shanghai (no DST): Fri 23 Oct 16:00 +08 is 08:00Z.
    expect(add(shanghai, '2026-10-23T08:00:00Z', 180)).toBe('2026-10-26T02:00:00.000Z'); // Mon 10:00 +08
  });

  it('reads the local date in a zone behind UTC', () => {
    // Monday 7 Dec 23:30 in New York is already Tuesday in UTC.
    const evenings = [{ start: '20:00', end: '24:00' }];
    const newYork = { ...berlin, timeZone: 'America/New_York', workingDays: [1], hours: evenings };
    expect(add(newYork, '2026-12-08T04:30:00Z', 0)).toBe('2026-12-08T04:30:00.000Z');
    expect(add(newYork, '2026-12-08T04:30:00Z', 30)).toBe('2026-12-08T05:00:00.000Z'); // midnight
    expect(add(newYork, '2026-12-08T04:30:00Z', 31)).toBe('2026-12-15T01:01:00.000Z'); // next Monday 20:01
  });

  it('counts real minutes on the days the clocks change', () => {
    const always = { ...berlin, workingDays: [1, 2, 3, 4, 5, 6, 7], hours: [{ start: '00:00', end: '24:00' }] };
    const day = (from: string, to: string) => businessMinutesBetween(always, at(from), at(to));
    expect(day('2026-10-24T22:00:00Z', '2026-10-25T23:00:00Z')).toBe(25 * 60); // Sunday 25 Oct has 25 hours
    expect(day('2026-03-28T23:00:00Z', '2026-03-29T22:00:00Z')).toBe(23 * 60); // Sunday 29 Mar has 23 hours
    // A range starting in the spring gap (02:30 does not exist) starts when the clock reads 03:30.
    const night = { ...berlin, workingDays: [7], hours: [{ start: '02:30', end: '04:00' }] };
    expect(add(night, '2026-03-28T12:00:00Z', 0)).toBe('2026-03-29T01:30:00.000Z');
    expect(add(night, '2026-03-28T12:00:00Z', 30)).toBe('2026-03-29T02:00:00.000Z');
  });

  it('rejects minutes that are not whole and not negative', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => addBusinessMinutes(shanghai, at('2026-12-07T01:00:00Z'), bad)).toThrow(RangeError);
    }
    expect(() => addBusinessMinutes(shanghai, new Date('nope'), 1)).toThrow(RangeError);
  });

  it('stops with a clear error when the calendar has no working time', () => {
    const none = { ...shanghai, workingDays: [] };
    expect(() => addBusinessMinutes(none, at('2026-12-07T01:00:00Z'), 10)).toThrow(NoBusinessTimeError);
    expect(() => addBusinessMinutes(none, at('2026-12-07T01:00:00Z'), 10)).toThrow(/no working time/);
    // Working dates only in the past: the walk gives up after its bound instead of looping.
    const past = { ...none, workingDates: ['2020-01-06'] };
    expect(() => addBusinessMinutes(past, at('2026-12-07T01:00:00Z'), 10)).toThrow(NoBusinessTimeError);
    expect(businessMinutesBetween(none, at('2026-12-07T01:00:00Z'), at('2026-12-09T01:00:00Z'))).toBe(0);
  });
});

describe('businessMinutesBetween', () => {
  it('answers 0 when to is not after from', () => {
    expect(businessMinutesBetween(shanghai, at('2026-12-07T05:00:00Z'), at('2026-12-07T05:00:00Z'))).toBe(0);
    expect(businessMinutesBetween(shanghai, at('2026-12-07T05:00:00Z'), at('2026-12-07T02:00:00Z'))).toBe(0);
  });

  it('counts only business time, leaving out lunch, evenings and weekends', () => {
    // Fri 11:00 -> Mon 10:00 Shanghai: 60 + 300 on Friday, 60 on Monday.
    const between = businessMinutesBetween(shanghai, at('2026-12-04T11:00:00+08:00'), at('2026-12-07T10:00:00+08:00'));
    expect(between).toBe(420);
  });

  it('moves a deadline on by the business time a pause took', () => {
    // Received Mon 7 Dec 09:00 with a 960-minute limit: due Tue 18:00.
    const due = addBusinessMinutes(shanghai, at('2026-12-07T09:00:00+08:00'), 960);
    expect(due.toISOString()).toBe('2026-12-08T10:00:00.000Z');
    // Waiting on the customer from Mon 16:00 to Tue 11:00: 120 + 120 business minutes.
    const pausedSince = at('2026-12-07T16:00:00+08:00');
    const resumed = at('2026-12-08T11:00:00+08:00');
    const paused = businessMinutesBetween(shanghai, pausedSince, resumed);
    expect(paused).toBe(240);
    const moved = addBusinessMinutes(shanghai, due, paused);
    expect(moved.toISOString()).toBe('2026-12-09T06:00:00.000Z'); // Wed 14:00
    // The same as counting the time left at the pause on from the resumption.
    const left = businessMinutesBetween(shanghai, pausedSince, due);
    expect(addBusinessMinutes(shanghai, resumed, left).toISOString()).toBe(moved.toISOString());
  });

  it('measures back exactly what addBusinessMinutes added', () => {
    const froms = [
      '2026-12-04T17:00:00+08:00', // Fri afternoon
      '2026-12-05T03:00:00+08:00', // Saturday night
      '2026-12-07T12:00:00+08:00', // lunch starts
      '2026-12-07T08:59:59.500+08:00', // just before opening
      '2026-09-29T15:20:00+08:00', // before the National Day week
      '2026-10-23T15:30:00Z', // Berlin Friday before the DST change
    ];
    const minutes = [0, 1, 59, 60, 179, 180, 181, 300, 480, 1000, 2880, 20_000];
    for (const calendar of [shanghai, nationalDay2026, berlin]) {
      for (const from of froms) {
        let previous = -Infinity;
        for (const m of minutes) {
          const end = addBusinessMinutes(calendar, at(from), m);
          expect(businessMinutesBetween(calendar, at(from), end), `${calendar.timeZone} ${from} + ${m}`).toBe(m);
          expect(end.getTime()).toBeGreaterThan(previous);
          if (m === 0) expect(isBusinessTime(calendar, end)).toBe(true);
          previous = end.getTime();
        }
      }
    }
  });
});

describe('isBusinessTime', () => {
  it('includes a range start and excludes its end', () => {
    expect(isBusinessTime(shanghai, at('2026-12-07T09:00:00+08:00'))).toBe(true);
    expect(isBusinessTime(shanghai, at('2026-12-07T11:59:59+08:00'))).toBe(true);
    expect(isBusinessTime(shanghai, at('2026-12-07T12:00:00+08:00'))).toBe(false);
    expect(isBusinessTime(shanghai, at('2026-12-07T12:30:00+08:00'))).toBe(false);
    expect(isBusinessTime(shanghai, at('2026-12-07T18:00:00+08:00'))).toBe(false);
    expect(isBusinessTime(shanghai, at('2026-12-06T10:00:00+08:00'))).toBe(false); // Sunday
  });
});

describe('businessCalendarSchema', () => {
  const paths = (value: unknown) => {
    const result = businessCalendarSchema.safeParse(value);
    return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
  };

  it('accepts the default and the National Day example', () => {
    expect(paths(defaultBusinessCalendar)).toEqual([]);
    expect(Object.isFrozen(defaultBusinessCalendar.hours[0])).toBe(true);
    expect(paths(nationalDay2026)).toEqual([]);
    expect(paths({ ...berlin, timeZone: 'UTC', hours: [{ start: '00:00', end: '24:00' }] })).toEqual([]);
  });

  it('rejects a time zone that is not an IANA zone', () => {
    expect(paths({ ...shanghai, timeZone: 'Mars/Olympus_Mons' })).toEqual(['timeZone']);
    expect(paths({ ...shanghai, timeZone: '+08:00' })).toEqual(['timeZone']);
    expect(paths({ ...shanghai, timeZone: '' })).toEqual(['timeZone']);
  });

  it('rejects badly written hours and empty or reversed ranges', () => {
    expect(paths({ ...shanghai, hours: [{ start: '9:00', end: '12:00' }] })).toEqual(['hours.0.start']);
    expect(paths({ ...shanghai, hours: [{ start: '09:00', end: '24:30' }] })).toEqual(['hours.0.end']);
    expect(paths({ ...shanghai, hours: [{ start: '09:60', end: '12:00' }] })).toEqual(['hours.0.start']);
    expect(paths({ ...shanghai, hours: [{ start: '12:00', end: '09:00' }] })).toEqual(['hours.0.end']);
    expect(paths({ ...shanghai, hours: [{ start: '09:00', end: '09:00' }] })).toEqual(['hours.0.end']);
    expect(paths({ ...shanghai, hours: [] })).toEqual(['hours']);
    const nine = Array.from({ length: 9 }, (_, i) => ({ start: `0${i}:00`, end: `0${i}:30` }));
    expect(paths({ ...shanghai, hours: nine })).toEqual(['hours']);
    expect(paths({ ...shanghai, hours: [{ start: '09:00', end: '12:00', note: 'x' }] })).toEqual(['hours.0']);
  });

  it('rejects overlapping or unordered ranges', () => {
    const overlapping = [
      { start: '09:00', end: '12:30' },
      { start: '12:00', end: '18:00' },
    ];
    expect(paths({ ...shanghai, hours: overlapping })).toEqual(['hours.1.start']);
    const unordered = [
      { start: '13:00', end: '18:00' },
      { start: '09:00', end: '12:00' },
    ];
    expect(paths({ ...shanghai, hours: unordered })).toEqual(['hours.1.start']);
    const touching = [
      { start: '09:00', end: '12:00' },
      { start: '12:00', end: '18:00' },
    ];
    expect(paths({ ...shanghai, hours: touching })).toEqual([]);
  });

  it('rejects duplicate and out-of-range weekdays', () => {
    expect(paths({ ...shanghai, workingDays: [1, 2, 2, 3] })).toEqual(['workingDays.2']);
    expect(paths({ ...shanghai, workingDays: [0, 8] })).toEqual(['workingDays.0', 'workingDays.1']);
    expect(paths({ ...shanghai, workingDays: [1.5] })).toEqual(['workingDays.0']);
  });

  it('rejects dates that are not real, too many dates, and a date both off and worked', () => {
    expect(paths({ ...shanghai, holidays: ['2026-02-30'] })).toEqual(['holidays.0']);
    expect(paths({ ...shanghai, workingDates: ['2026-10-10', '10/10/2026'] })).toEqual(['workingDates.1']);
    const many = Array.from({ length: 501 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10));
    expect(paths({ ...shanghai, holidays: many })).toEqual(['holidays']);
    expect(paths({ ...shanghai, holidays: many.slice(0, 500) })).toEqual([]);
    expect(paths({ ...shanghai, holidays: ['2026-10-01', '2026-10-10'], workingDates: ['2026-10-10'] })).toEqual([
      'workingDates.0',
    ]);
  });

  it('rejects a calendar without any working day or date, and unknown fields', () => {
    expect(paths({ ...shanghai, workingDays: [] })).toEqual(['workingDays']);
    expect(paths({ ...shanghai, workingDays: [], workingDates: ['2026-10-10'] })).toEqual([]);
    expect(paths({ ...shanghai, weekend: [6, 7] })).toEqual(['']);
    expect(paths({ ...shanghai, holidays: undefined })).toEqual(['holidays']);
  });
});
