import type { Invitation, Localized, SurveyLanguage } from './types.js';

const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** The answer link of an invitation: the token after `#` stays out of server logs and referrers. */
export const answerLink = (linkBase: string, token: string): string => `${linkBase.replace(/\/+$/, '')}/answer#token=${encodeURIComponent(token)}`;

const dateIn = (at: string, timeZone: string): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(at));

const texts: Record<SurveyLanguage, (title: string, link: string, until: string) => { subject: string; body: string; sms: string }> = {
  'zh-CN': (title, link, until) => ({
    subject: `邀请您参加调查：${title}`,
    body: `您好！\n\n诚邀您参加“${title}”调查，您的意见将帮助我们改进服务。\n\n请点击链接作答（${until} 前有效，仅可提交一次）：\n${link}\n\n如不希望再收到调查邀请，可随时在个人中心撤回同意。`,
    sms: `诚邀您参加“${title}”调查（${until} 前有效）：${link}`,
  }),
  en: (title, link, until) => ({
    subject: `Your opinion, please: ${title}`,
    body: `Hello,\n\nWe would value your answers to our survey "${title}"; they help us improve our service.\n\nAnswer here (valid until ${until}, one submission):\n${link}\n\nYou can withdraw your consent to surveys at any time in your account.`,
    sms: `Please answer our survey "${title}" (until ${until}): ${link}`,
  }),
};

/** The invitation message in the invitation's language: the survey's title, the link and its expiry date. */
export function invitationMessage(
  invitation: Pick<Invitation, 'language' | 'channel' | 'expiresAt'>,
  title: Localized,
  link: string,
  timeZone = DEFAULT_TIME_ZONE,
): { subject: string; body: string } {
  const text = texts[invitation.language](title[invitation.language], link, dateIn(invitation.expiresAt, timeZone));
  return invitation.channel === 'sms' ? { subject: text.subject, body: text.sms } : { subject: text.subject, body: text.body };
}
