import { describe, expect, it } from 'vitest';
import { decisionEvent, isCurrentConsent, mayProcess } from '../../shared/contexts/consent/index.js';

const purpose = { noticeVersion: 'v2' };

describe('consent rules', () => {
  it('counts only a consent given to the current notice', () => {
    expect(isCurrentConsent({ status: 'given', noticeVersion: 'v2' }, purpose)).toBe(true);
    expect(isCurrentConsent({ status: 'given', noticeVersion: 'v1' }, purpose)).toBe(false);
    expect(isCurrentConsent({ status: 'withdrawn', noticeVersion: 'v2' }, purpose)).toBe(false);
  });

  it('lets restriction stop every purpose and an objection stop only its own', () => {
    expect(mayProcess({}, 'marketing')).toBe(true);
    expect(mayProcess({ restricted: true }, 'service')).toBe(false);
    expect(mayProcess({ objections: ['marketing'] }, 'marketing')).toBe(false);
    expect(mayProcess({ objections: ['marketing'] }, 'analytics')).toBe(true);
  });

  it('publishes a withdrawal always, a renewal only when moving from an older notice', () => {
    expect(decisionEvent('withdraw', undefined, purpose)).toBe('ConsentWithdrawn');
    expect(decisionEvent('give', { status: 'given', noticeVersion: 'v1' }, purpose)).toBe('ConsentRenewed');
    expect(decisionEvent('give', { status: 'given', noticeVersion: 'v2' }, purpose)).toBeUndefined();
    expect(decisionEvent('give', { status: 'withdrawn', noticeVersion: 'v1' }, purpose)).toBeUndefined();
    expect(decisionEvent('give', undefined, purpose)).toBeUndefined();
  });
});
