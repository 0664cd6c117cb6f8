/**
 * When a team works, in one IANA time zone. Complaint deadlines count only the minutes inside
 * these hours: weekends, public holidays and the lunch break do not eat into a time limit.
 */
export interface BusinessCalendar {
  /** IANA time zone the hours and dates are read in, e.g. `Asia/Shanghai`. */
  timeZone: string;
  /** ISO weekdays worked: 1 (Monday) .. 7 (Sunday), e.g. `[1, 2, 3, 4, 5]`. */
  workingDays: number[];
  /**
   * Local `HH:MM` ranges of a working day, ascending and not overlapping, e.g. 09:00-12:00 and
   * 13:00-18:00. A range ends before its `end` (18:00 itself is no longer business time); an
   * `end` of `24:00` means up to midnight.
   */
  hours: Array<{ start: string; end: string }>;
  /** Local `YYYY-MM-DD` dates off even when their weekday is worked (public holidays). */
  holidays: string[];
  /** Local `YYYY-MM-DD` dates worked although their weekday is not (make-up working days, 调休). */
  workingDates: string[];
}
