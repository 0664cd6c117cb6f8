/**
 * How often records of each tier are reviewed for accuracy (CR-5), in days. `*` applies
 * to tiers not named.
 */
export type ReviewIntervals = Readonly<Record<string, number>>;

export const defaultReviewIntervals: ReviewIntervals = { vip: 90, normal: 180, '*': 365 };

const DAY_MS = 24 * 60 * 60 * 1000;

export function reviewDueAt(intervals: ReviewIntervals, tier: string, from: Date): string {
  const own = (name: string) => (Object.hasOwn(intervals, name) ? intervals[name] : undefined);
  const days = own(tier) ?? own('*') ?? 365;
  return new Date(from.getTime() + days * DAY_MS).toISOString();
}

/** Parses `vip=90,normal=180,*=365`; throws with a clear message on a malformed entry. */
export function parseReviewIntervals(spec: string): ReviewIntervals {
  const intervals: Record<string, number> = {};
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const match = /^([a-z0-9*][a-z0-9-]*)=(\d{1,4})$/.exec(entry);
    if (!match || Number(match[2]) < 1) throw new Error(`Review interval "${entry}" must look like tier=days, e.g. vip=90.`);
    intervals[match[1]!] = Number(match[2]);
  }
  return { ...defaultReviewIntervals, ...intervals };
}
