import { describe, expect, it } from 'vitest';
import { SurveyLinks } from '../../shared/contexts/surveys/links.js';

const keys = (fill: number) => ({ indexKey: async () => Buffer.alloc(32, fill) });
const invitation = { id: '0b8f4c2e-5d6a-4b7c-8d9e-0f1a2b3c4d5e', surveyId: 'survey-a', expiresAt: '2026-06-30T00:00:00.000Z' };

describe('survey answer links', () => {
  it('signs a link that verifies for its own survey, with its invitation and expiry', async () => {
    const links = new SurveyLinks(keys(1));
    const token = await links.sign(invitation);
    expect(token).toMatch(/^v1\.0b8f4c2e-5d6a-4b7c-8d9e-0f1a2b3c4d5e\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThanOrEqual(200);
    expect(await links.verify(token, 'survey-a')).toEqual({ invitationId: invitation.id, expiresAt: Date.parse(invitation.expiresAt) / 1000 });
  });

  it('refuses a link bound to another survey', async () => {
    const links = new SurveyLinks(keys(1));
    expect(await links.verify(await links.sign(invitation), 'survey-b')).toBeUndefined();
  });

  it('refuses a forged MAC, a changed expiry, a changed invitation and another key', async () => {
    const links = new SurveyLinks(keys(1));
    const token = await links.sign(invitation);
    const [v, id, exp, mac] = token.split('.') as [string, string, string, string];
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(await links.verify(`${v}.${id}.${exp}.${flipped}`, 'survey-a')).toBeUndefined();
    expect(await links.verify(`${v}.${id}.${Number(exp) + 86_400}.${mac}`, 'survey-a')).toBeUndefined();
    expect(await links.verify(`${v}.${id.replace('0b8f', '1b8f')}.${exp}.${mac}`, 'survey-a')).toBeUndefined();
    expect(await new SurveyLinks(keys(2)).verify(token, 'survey-a')).toBeUndefined();
  });

  it('reads no claims from a malformed link', async () => {
    const links = new SurveyLinks(keys(1));
    for (const token of ['', 'v1', 'v2.a.1.b', 'v1.a.b.c', `v1.${invitation.id}.1.short`, `v1.${invitation.id}.1.${'A'.repeat(43)}.x`]) {
      expect(links.parse(token)).toBeUndefined();
      expect(await links.verify(token, 'survey-a')).toBeUndefined();
    }
  });

  it('carries the expiry the caller checks: a link of an expired invitation still names it', async () => {
    const links = new SurveyLinks(keys(1));
    const expired = { ...invitation, expiresAt: '2020-01-01T00:00:00.000Z' };
    const claims = await links.verify(await links.sign(expired), 'survey-a');
    expect(claims?.expiresAt).toBe(Date.parse('2020-01-01T00:00:00.000Z') / 1000);
    expect(claims!.expiresAt * 1000).toBeLessThan(Date.now());
  });
});
