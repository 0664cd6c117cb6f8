import type { ConsentStatus, Purpose } from './types.js';

/**
 * Processing may rely on a consent only if it is given, and given to the notice the
 * purpose shows now (CON-2): a consent to an older notice counts as none until renewed.
 */
export const isCurrentConsent = (state: { status: ConsentStatus; noticeVersion: string }, purpose: Pick<Purpose, 'noticeVersion'>): boolean =>
  state.status === 'given' && state.noticeVersion === purpose.noticeVersion;

/** May a customer's data serve this purpose at all (DSR-5)? Restriction stops every use; an objection stops one purpose. */
export const mayProcess = (flags: { restricted?: boolean; objections?: string[] }, purposeId: string): boolean =>
  !flags.restricted && !(flags.objections ?? []).includes(purposeId);

/** Which event a decision publishes, if any. */
export function decisionEvent(
  action: 'give' | 'withdraw',
  previous: { status: ConsentStatus; noticeVersion: string } | undefined,
  purpose: Pick<Purpose, 'noticeVersion'>,
): 'ConsentWithdrawn' | 'ConsentRenewed' | undefined {
  if (action === 'withdraw') return 'ConsentWithdrawn';
  return previous?.status === 'given' && previous.noticeVersion !== purpose.noticeVersion ? 'ConsentRenewed' : undefined;
}
