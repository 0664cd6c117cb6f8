import { describe, expect, it } from 'vitest';
import { ineligibility, inSegment, languageOf, type CandidateProfile } from '../../shared/contexts/surveys/audience.js';
import { answerLink, invitationMessage } from '../../shared/contexts/surveys/invitation-messages.js';
import { chooses, sampleDraw, uuidOf } from '../../shared/contexts/surveys/sampling.js';

/** SAT-2: the random sample of a dispatch, and why a customer of the segment is not invited. */
const sample = (dispatchId: string, ids: string[], k: number): string[] => {
  const state = { k, population: ids.length, seen: 0, chosen: 0 };
  const chosen: string[] = [];
  for (const id of ids) {
    if (chooses(state, sampleDraw(dispatchId, id))) {
      chosen.push(id);
      state.chosen += 1;
    }
    state.seen += 1;
  }
  return chosen;
};
const ids = Array.from({ length: 500 }, (_, i) => `customer-${i}`);

describe('sequential sampling', () => {
  it('chooses exactly k of N, for every k from none to all', () => {
    for (const k of [0, 1, 7, 250, 499, 500]) expect(sample('d-1', ids, k)).toHaveLength(k);
    expect(sample('d-1', ids.slice(0, 3), 10)).toEqual(ids.slice(0, 3));
  });

  it('decides the same when run again, and differently for another dispatch', () => {
    const first = sample('d-1', ids, 50);
    expect(sample('d-1', ids, 50)).toEqual(first);
    expect(sample('d-2', ids, 50)).not.toEqual(first);
  });

  it('draws in [0, 1) and gives each customer about the same chance', () => {
    const hits = new Map<string, number>();
    for (let d = 0; d < 200; d += 1) for (const id of sample(`d-${d}`, ids.slice(0, 20), 5)) hits.set(id, (hits.get(id) ?? 0) + 1);
    // 200 samples of 5 of 20: 50 each on average; none far off.
    for (const id of ids.slice(0, 20)) expect(hits.get(id) ?? 0).toBeGreaterThan(25);
    for (const id of ids) {
      const u = sampleDraw('d-x', id);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });

  it('chooses no more once k are chosen, even when the population grew since it was counted', () => {
    expect(chooses({ k: 2, population: 3, seen: 3, chosen: 2 }, 0)).toBe(false);
    expect(chooses({ k: 2, population: 3, seen: 3, chosen: 1 }, 0.999)).toBe(true);
  });

  it('derives one UUID per text', () => {
    expect(uuidOf('survey-wave:s:2026-Q4')).toBe(uuidOf('survey-wave:s:2026-Q4'));
    expect(uuidOf('survey-wave:s:2026-Q4')).not.toBe(uuidOf('survey-wave:s:2027-Q1'));
    expect(uuidOf('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

const profile = (overrides: Partial<CandidateProfile> = {}): CandidateProfile => ({
  id: 'c-1',
  type: 'individual',
  region: 'CN-SH',
  tier: 'gold',
  tags: ['wechat'],
  stage: 'active',
  emailIndexes: ['e'],
  phoneIndexes: [],
  ...overrides,
});
const now = new Date('2026-12-01T00:00:00Z');
const facts = { consenting: true, contactFrequencyDays: 90, now };

describe('eligibility', () => {
  it('names one reason each, in order', () => {
    expect(ineligibility({ ...facts })).toBe('erasure');
    expect(ineligibility({ ...facts, profile: profile({ erasure: { requestId: 'r' }, restricted: true }) })).toBe('erasure');
    expect(ineligibility({ ...facts, profile: profile({ restricted: true, objections: ['survey'] }) })).toBe('restricted');
    expect(ineligibility({ ...facts, profile: profile({ objections: ['marketing', 'survey'] }), consenting: false })).toBe('objected');
    expect(ineligibility({ ...facts, profile: profile({ objections: ['marketing'] }), consenting: false })).toBe('no-consent');
    expect(ineligibility({ ...facts, profile: profile(), lastInvitedAt: '2026-10-01T00:00:00Z' })).toBe('recently-invited');
    expect(ineligibility({ ...facts, profile: profile({ emailIndexes: [], phoneIndexes: [] }) })).toBe('no-contact');
    expect(ineligibility({ ...facts, profile: profile() })).toBeUndefined();
  });

  it('lets a customer be invited again after the contact-frequency limit, or at once with a limit of 0', () => {
    expect(ineligibility({ ...facts, profile: profile(), lastInvitedAt: '2026-09-01T23:59:59Z' })).toBeUndefined();
    expect(ineligibility({ ...facts, profile: profile(), lastInvitedAt: '2026-09-02T00:00:01Z' })).toBe('recently-invited');
    expect(ineligibility({ ...facts, contactFrequencyDays: 0, profile: profile(), lastInvitedAt: '2026-11-30T00:00:00Z' })).toBeUndefined();
  });

  it('filters by every segment field, none meaning everyone', () => {
    expect(inSegment(profile(), {})).toBe(true);
    expect(inSegment(profile(), { type: 'individual', region: 'CN-SH', tier: 'gold', stage: 'active', tag: 'wechat' })).toBe(true);
    expect(inSegment(profile(), { tier: 'normal' })).toBe(false);
    expect(inSegment(profile(), { region: 'CN-BJ' })).toBe(false);
    expect(inSegment(profile(), { stage: 'new' })).toBe(false);
    expect(inSegment(profile(), { type: 'enterprise' })).toBe(false);
    expect(inSegment(profile(), { tag: 'vip' })).toBe(false);
  });
});

describe('invitation messages', () => {
  it('are in the invitation language, with the title, the link and its expiry date', () => {
    const link = answerLink('http://127.0.0.1:3000/', 'v1.abc.123.mac');
    expect(link).toBe('http://127.0.0.1:3000/answer#token=v1.abc.123.mac');
    const title = { 'zh-CN': '服务满意度', en: 'Service satisfaction' };
    const zh = invitationMessage({ language: 'zh-CN', channel: 'email', expiresAt: '2026-12-31T00:00:00Z' }, title, link);
    expect(zh.subject).toContain('服务满意度');
    expect(zh.body).toContain(link);
    expect(zh.body).toContain('2026-12-31');
    const en = invitationMessage({ language: 'en', channel: 'sms', expiresAt: '2026-12-31T00:00:00Z' }, title, link);
    expect(en.body).toContain('Service satisfaction');
    expect(en.body).toContain(link);
    expect(languageOf(profile({ language: 'en' }))).toBe('en');
    expect(languageOf(profile())).toBe('zh-CN');
  });
});
