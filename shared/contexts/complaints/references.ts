/**
 * Complaint references (CMP-1), `TS-2026-000123`: the year of receipt in the calendar's time
 * zone, then a number of that year's counter (six digits at least), handed out in blocks.
 */
export const REFERENCE_PATTERN = /^TS-\d{4}-\d{6,}$/;

/** The year of `at` where the team works: a complaint of 31 December 23:30 UTC is of the next year in Shanghai. */
export function referenceYear(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(at);
}

export const formatReference = (year: string, number: number) => `TS-${year}-${String(number).padStart(6, '0')}`;
