import { describe, expect, it } from 'vitest';
import { checkTransition, dueDate } from '../../shared/contexts/requests/index.js';

describe('request deadlines', () => {
  it('gives GDPR one calendar month, clamped to the end of a shorter month', () => {
    expect(dueDate('GDPR', new Date('2026-11-23T10:00:00Z')).toISOString()).toBe('2026-12-23T10:00:00.000Z');
    expect(dueDate('GDPR', new Date('2027-01-31T10:00:00Z')).toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(dueDate('GDPR', new Date('2026-12-15T00:00:00Z')).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('gives PIPL 15 working days, skipping weekends', () => {
    // Monday 23 November 2026 + 15 working days = Monday 14 December.
    expect(dueDate('PIPL', new Date('2026-11-23T10:00:00Z')).toISOString()).toBe('2026-12-14T10:00:00.000Z');
    // From a Saturday: the count starts on Monday.
    expect(dueDate('PIPL', new Date('2026-11-28T10:00:00Z')).toISOString()).toBe('2026-12-18T10:00:00.000Z');
  });
});

describe('request transitions', () => {
  it('lets staff verify identity, only the DPO approve or reject, and rejects out-of-order actions', () => {
    expect(checkTransition('received', 'verify-identity', 'agent')).toEqual({ ok: true, to: 'identity-verified' });
    expect(checkTransition('identity-verified', 'approve', 'agent')).toEqual({ ok: false, reason: 'role' });
    expect(checkTransition('identity-verified', 'approve', 'admin')).toEqual({ ok: false, reason: 'role' });
    expect(checkTransition('identity-verified', 'approve', 'dpo')).toEqual({ ok: true, to: 'in-progress' });
    expect(checkTransition('received', 'approve', 'dpo')).toEqual({ ok: false, reason: 'status' });
    expect(checkTransition('completed', 'reject', 'dpo')).toEqual({ ok: false, reason: 'status' });
    expect(checkTransition('in-progress', 'complete', 'dpo')).toEqual({ ok: true, to: 'completed' });
  });
});
