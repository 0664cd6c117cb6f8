import type { IncidentDataCategory } from './types.js';

/**
 * The notice to a person affected by a breach (PIPL Art. 57, GDPR Art. 34(2), NDSR Art. 11):
 * what happened and which kinds of their data, the causes, the possible harm, the measures
 * taken, what they can do themselves, and whom to contact. The text comes from the
 * incident's assessment; nothing of the recipient (name, address, number) goes in it.
 */
export type NoticeLanguage = 'zh-CN' | 'en';

export interface NoticeFacts {
  categories: readonly IncidentDataCategory[];
  /** When it happened (ISO): shown as a date. */
  occurredAt: string;
  cause: string;
  consequences: string;
  measures: string;
  advice: string;
  /** The DPO's contact (configuration `incidentContact`). */
  contact: string;
}

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';
/** An SMS carries the essentials in about two segments; the full text goes by mail. */
const SMS_ADVICE_CHARS = 60;

const categoryLabels: Record<NoticeLanguage, Record<IncidentDataCategory, string>> = {
  'zh-CN': {
    identity: '身份信息',
    contact: '联系方式',
    address: '地址',
    sensitive: '敏感个人信息',
    needs: '需求信息',
    interactions: '服务与沟通记录',
    complaints: '投诉记录',
    surveys: '调查答复',
    consents: '同意记录',
    credentials: '账户凭证',
    other: '其他信息',
  },
  en: {
    identity: 'identity details',
    contact: 'contact details',
    address: 'addresses',
    sensitive: 'sensitive personal information',
    needs: 'needs and preferences',
    interactions: 'service and contact history',
    complaints: 'complaint records',
    surveys: 'survey answers',
    consents: 'consent records',
    credentials: 'account credentials',
    other: 'other information',
  },
};

/** The categories as a list in the language; "personal information" when none was recorded. */
export function categoryList(categories: readonly IncidentDataCategory[], language: NoticeLanguage): string {
  const labels = [...new Set(categories)].map((c) => categoryLabels[language][c]);
  if (!labels.length) return language === 'en' ? 'personal information' : '个人信息';
  return language === 'en' ? labels.join(', ') : labels.join('、');
}

const dateIn = (at: string, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));

const shortened = (text: string, chars: number): string => {
  const units = [...text.trim()];
  return units.length <= chars ? units.join('') : `${units.slice(0, chars).join('')}…`;
};

type Texts = (facts: NoticeFacts, categories: string, date: string) => { subject: string; body: string; sms: string };

const texts: Record<NoticeLanguage, Texts> = {
  'zh-CN': (f, categories, date) => ({
    subject: '个人信息安全事件告知',
    body: [
      '您好：',
      '',
      `我们于 ${date} 发生了一起个人信息安全事件，涉及您的以下个人信息：${categories}。`,
      '',
      `一、事件原因：${f.cause}`,
      `二、可能造成的危害：${f.consequences}`,
      `三、我们已采取的补救措施：${f.measures}`,
      `四、您可以采取的措施：${f.advice}`,
      `五、联系方式：如有疑问，请联系我们的个人信息保护负责人：${f.contact}`,
      '',
      '我们对此深表歉意，并将持续跟进处置。',
    ].join('\n'),
    sms: `【个人信息安全事件告知】我们发生了个人信息安全事件，涉及您的${categories}。建议您：${shortened(f.advice, SMS_ADVICE_CHARS)} 详情及咨询请联系：${f.contact}`,
  }),
  en: (f, categories, date) => ({
    subject: 'Important: a personal data breach affecting you',
    body: [
      'Hello,',
      '',
      `On ${date} we had a personal data breach that involves the following of your personal data: ${categories}.`,
      '',
      `What caused it: ${f.cause}`,
      `What it may mean for you: ${f.consequences}`,
      `What we have done: ${f.measures}`,
      `What you can do: ${f.advice}`,
      `Whom to contact: our data protection officer, ${f.contact}`,
      '',
      'We are sorry and will keep working to put this right.',
    ].join('\n'),
    sms: `Data breach notice: your ${categories} may be affected. What you can do: ${shortened(f.advice, SMS_ADVICE_CHARS)} Details and questions: ${f.contact}`,
  }),
};

/** The notice in the language for the channel: mail has every item, SMS the essentials and the contact. */
export function noticeMessage(
  to: { language: NoticeLanguage; channel: 'email' | 'sms' },
  facts: NoticeFacts,
  timeZone = DEFAULT_TIME_ZONE,
): { subject: string; body: string } {
  const text = texts[to.language](facts, categoryList(facts.categories, to.language), dateIn(facts.occurredAt, timeZone));
  return { subject: text.subject, body: to.channel === 'sms' ? text.sms : text.body };
}
