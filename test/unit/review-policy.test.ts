import { describe, expect, it } from 'vitest';
import { defaultReviewIntervals, parseReviewIntervals, reviewDueAt } from '../../shared/contexts/customers/review-policy.js';

const from = new Date('2025-03-01T08:00:00.000Z');
const plusDays = (days: number) => new Date(from.getTime() + days * 86_400_000).toISOString();

describe('reviewDueAt', () => {
  it('adds the tier interval in days', () => {
    expect(reviewDueAt(defaultReviewIntervals, 'vip', from)).toBe(plusDays(defaultReviewIntervals.vip!));
    expect(reviewDueAt(defaultReviewIntervals, 'normal', from)).toBe(plusDays(defaultReviewIntervals.normal!));
    expect(reviewDueAt({ vip: 30 }, 'vip', from)).toBe('2025-03-31T08:00:00.000Z');
  });

  it('uses * for tiers not named', () => {
    expect(reviewDueAt({ vip: 30, '*': 7 }, 'bronze', from)).toBe(plusDays(7));
  });

  it('falls back to 365 days without *', () => {
    expect(reviewDueAt({ vip: 30 }, 'bronze', from)).toBe(plusDays(365));
  });
});

describe('parseReviewIntervals', () => {
  it('keeps the defaults when nothing is given', () => {
    expect(parseReviewIntervals('')).toEqual(defaultReviewIntervals);
  });

  it('overrides a named tier and keeps the other defaults', () => {
    const intervals = parseReviewIntervals('vip=30');
    expect(intervals.vip).toBe(30);
    expect(intervals.normal).toBe(defaultReviewIntervals.normal);
    expect(intervals['*']).toBe(defaultReviewIntervals['*']);
    expect(reviewDueAt(intervals, 'vip', from)).toBe(plusDays(30));
  });

  it('accepts several entries with spaces, new tiers and *', () => {
    const intervals = parseReviewIntervals(' vip=30 , gold-plus=60,*=400, ');
    expect(intervals).toEqual({ vip: 30, normal: defaultReviewIntervals.normal, 'gold-plus': 60, '*': 400 });
  });

  it('makes reviewDueAt use * for unknown tiers', () => {
    const intervals = parseReviewIntervals('*=10');
    expect(reviewDueAt(intervals, 'unknown-tier', from)).toBe(plusDays(10));
    expect(reviewDueAt(intervals, 'vip', from)).toBe(plusDays(defaultReviewIntervals.vip!));
  });

  it.each(['vip', 'vip=', '=30', 'vip=abc', 'vip=0', 'vip=-5', 'vip=1.5', 'vip=12345', 'VIP=30', 'vip:30', 'vip=30=40', 'a b=3'])(
    'rejects %j with a message naming the entry and the expected form',
    (entry) => {
      expect(() => parseReviewIntervals(`normal=100,${entry}`)).toThrow(
        `Review interval "${entry.trim()}" must look like tier=days, e.g. vip=90.`,
      );
    },
  );
});

describe('reviewDueAt and inherited names', () => {
  it('treats a tier named like an Object property as any other unnamed tier', () => {
    const from = new Date('2026-01-01T00:00:00.000Z');
    expect(reviewDueAt(defaultReviewIntervals, 'constructor', from)).toBe(reviewDueAt(defaultReviewIntervals, 'bronze', from));
  });
});
