import { UnavailableError } from '../../platform/errors/index.js';
import type { Notifier, OutboundMessage } from '../../platform/ports/index.js';
import { NOTICE_MAX_ATTEMPTS } from './milestones.js';
import type { Complaint, ComplaintLanguage, NoticeState } from './types.js';

/** Where the customer is written to: their first email, else their first phone as a text message. */
export interface NoticeAddress {
  channel: 'email' | 'sms';
  to: string;
}

/** A time as the customer reads it: in the calendar's zone, named. */
function localTime(at: string, timeZone: string, language: ComplaintLanguage): string {
  const text = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(at));
  return `${text} (${timeZone})`;
}

/** The acknowledgement (CMP-1): the reference, and when the customer will hear back. */
export function acknowledgementMessage(complaint: Complaint, timeZone: string): Pick<OutboundMessage, 'subject' | 'body'> {
  const respondBy = complaint.milestones.firstResponse.dueAt;
  const when = respondBy ? localTime(respondBy, timeZone, complaint.language) : undefined;
  if (complaint.language === 'en') {
    return {
      subject: `We received your complaint ${complaint.reference}`,
      body: `We received your complaint, reference ${complaint.reference}.${when ? ` We will respond by ${when}.` : ''} Please quote the reference when you contact us about it.`,
    };
  }
  return {
    subject: `您的投诉已受理：${complaint.reference}`,
    body: `我们已收到您的投诉，编号 ${complaint.reference}。${when ? `我们将在 ${when} 前答复您。` : ''}联系我们时请提供此编号。`,
  };
}

/** The resolution (CMP-2): what was done, under the reference. */
export function resolutionMessage(complaint: Complaint): Pick<OutboundMessage, 'subject' | 'body'> {
  const summary = complaint.resolution?.summary ?? '';
  // Staff write the summary; the sentence after it must not run on from it.
  const ended = (full: string) => (/[.!?。！？]$/.test(summary) ? summary : `${summary}${full}`);
  if (complaint.language === 'en') {
    return {
      subject: `Your complaint ${complaint.reference} is resolved`,
      body: `Your complaint ${complaint.reference} is resolved: ${ended('.')} If you are not satisfied, reply and we will look at it again.`,
    };
  }
  return {
    subject: `您的投诉已处理：${complaint.reference}`,
    body: `您的投诉（编号 ${complaint.reference}）已处理：${ended('。')}如您不满意，请回复我们，我们将重新处理。`,
  };
}

/**
 * Sends one notice and answers its new state: `sent`, or `pending` with the attempt counted
 * (`failed` after the last attempt). A failure is reported through `onUndelivered`, never thrown.
 */
export async function attemptNotice(
  deps: { notifier: Notifier; onUndelivered: (error: UnavailableError) => void },
  notice: NoticeState,
  address: NoticeAddress | undefined,
  message: Pick<OutboundMessage, 'subject' | 'body'>,
  at: string,
): Promise<NoticeState> {
  const attempts = notice.attempts + 1;
  try {
    if (!address) throw new UnavailableError('notifier');
    await deps.notifier.send({ ...address, ...message });
    return { kind: notice.kind, state: 'sent', attempts, lastAttemptAt: at };
  } catch (error) {
    deps.onUndelivered(error instanceof UnavailableError ? error : new UnavailableError('notifier', { cause: error }));
    return { kind: notice.kind, state: attempts >= NOTICE_MAX_ATTEMPTS ? 'failed' : 'pending', attempts, lastAttemptAt: at };
  }
}

export const messageFor = (complaint: Complaint, kind: NoticeState['kind'], timeZone: string) =>
  kind === 'acknowledgement' ? acknowledgementMessage(complaint, timeZone) : resolutionMessage(complaint);
