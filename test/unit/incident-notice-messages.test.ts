import { describe, expect, it } from 'vitest';
import { categoryList, noticeMessage, type NoticeFacts } from '../../shared/contexts/incidents/notice-messages.js';
import { LogDrillSink, maskRecipient } from '../../shared/platform/notify/index.js';

/** BR-3: the notice carries every item PIPL Art. 57 and GDPR Art. 34(2) ask for, and nothing of the recipient. */
const facts: NoticeFacts = {
  categories: ['contact', 'address'],
  occurredAt: '2026-11-30T18:00:00.000Z',
  cause: 'CAUSE-TEXT a misconfigured export',
  consequences: 'HARM-TEXT phishing messages',
  measures: 'MEASURES-TEXT the export was revoked',
  advice: 'ADVICE-TEXT be wary of unexpected messages',
  contact: 'privacy@kehu.example',
};
const recipient = { email: 'zhang.wei@example.com', phone: '+8613812345678' };

describe('the breach notice', () => {
  it.each([
    ['zh-CN', ['联系方式', '地址', '原因', '危害', '补救措施', '您可以采取的措施', '联系方式', '2026-12-01']],
    ['en', ['contact details', 'addresses', 'What caused it', 'What it may mean for you', 'What we have done', 'What you can do', 'Whom to contact', '2026-12-01']],
  ] as const)('in %s holds what happened with the categories, causes, harm, measures, advice and the contact', (language, labels) => {
    const { subject, body } = noticeMessage({ language, channel: 'email' }, facts);
    expect(subject.length).toBeGreaterThan(0);
    for (const text of [facts.cause, facts.consequences, facts.measures, facts.advice, facts.contact, ...labels]) expect(body).toContain(text);
    for (const value of Object.values(recipient)) expect(`${subject}\n${body}`).not.toContain(value);
  });

  it('is written in each language apart', () => {
    const zh = noticeMessage({ language: 'zh-CN', channel: 'email' }, facts);
    const en = noticeMessage({ language: 'en', channel: 'email' }, facts);
    expect(zh.subject).not.toBe(en.subject);
    expect(en.body).not.toMatch(/[\u4e00-\u9fff]/);
    expect(zh.body).toMatch(/[\u4e00-\u9fff]/);
  });

  it.each(['zh-CN', 'en'] as const)('by SMS in %s is short and keeps the categories, the advice and the contact', (language) => {
    const long = { ...facts, advice: `ADVICE-TEXT ${'x'.repeat(400)}` };
    const { body } = noticeMessage({ language, channel: 'sms' }, long);
    expect(body.length).toBeLessThan(260);
    expect(body).toContain(categoryList(facts.categories, language));
    expect(body).toContain('ADVICE-TEXT');
    expect(body).toContain(facts.contact);
    expect(body).not.toContain(recipient.phone);
  });

  it('names personal information when no category was recorded', () => {
    expect(categoryList([], 'en')).toBe('personal information');
    expect(categoryList([], 'zh-CN')).toBe('个人信息');
    expect(categoryList(['contact', 'contact'], 'en')).toBe('contact details');
  });
});

describe('a drill recipient', () => {
  it('is masked, the same when masked twice', () => {
    expect(maskRecipient('email', recipient.email)).toBe('z***@example.com');
    const phone = maskRecipient('sms', recipient.phone);
    expect(phone).toBe('+*********5678');
    expect(maskRecipient('sms', phone)).toBe(phone);
    expect(maskRecipient('email', maskRecipient('email', recipient.email))).toBe('z***@example.com');
  });

  it('is all the log drill sink writes of a message, with the channel and an id', async () => {
    const lines: string[] = [];
    const sink = new LogDrillSink((line) => lines.push(line));
    await sink.send({ channel: 'email', to: recipient.email, subject: '[DRILL] SUBJECT-TEXT', body: 'BODY-TEXT' });
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toMatchObject({ channel: 'email', to: 'z***@example.com' });
    expect(typeof entry.messageId).toBe('string');
    expect(lines[0]).not.toContain('SUBJECT-TEXT');
    expect(lines[0]).not.toContain('BODY-TEXT');
    expect(lines[0]).not.toContain(recipient.email);
  });
});
