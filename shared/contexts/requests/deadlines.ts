/**
 * Legal deadlines for data-subject requests (DSR-4): GDPR one month from receipt (Art. 12(3));
 * PIPL "timely", set here as 15 working days. Public holidays are not modelled: a
 * deployment that needs them shortens its own working-day count.
 */
export const jurisdictions = ['GDPR', 'PIPL'] as const;
export type Jurisdiction = (typeof jurisdictions)[number];

export const PIPL_WORKING_DAYS = 15;

/** One calendar month later; the 31st of January becomes the last day of February. */
function addMonth(from: Date): Date {
  const target = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds()));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return target;
}

function addWorkingDays(from: Date, days: number): Date {
  const date = new Date(from);
  for (let added = 0; added < days; ) {
    date.setUTCDate(date.getUTCDate() + 1);
    const weekday = date.getUTCDay();
    if (weekday !== 0 && weekday !== 6) added += 1;
  }
  return date;
}

export function dueDate(jurisdiction: Jurisdiction, receivedAt: Date): Date {
  return jurisdiction === 'GDPR' ? addMonth(receivedAt) : addWorkingDays(receivedAt, PIPL_WORKING_DAYS);
}
