import type { Write } from '../../platform/ports/index.js';
import type { Complaint } from '../complaints/index.js';
import type { RaiseRiskFlag, RiskFlagWriter } from './types.js';

/** Reopened this often, a complaint's customer is called back (SAT-3). */
export const REOPENS_FLAGGED = 2;

/**
 * The flags a complaint's change raises: its reopen count reaching REOPENS_FLAGGED, or a
 * follow-up newly recorded that found the customer not satisfied. Pure: what it answers is
 * written in the complaint's own transaction.
 */
export function flagsForComplaint(previous: Complaint | undefined, next: Complaint, at: string): RaiseRiskFlag[] {
  const base = {
    customerId: next.customerId,
    source: { kind: 'complaint' as const, complaintId: next.id, reference: next.reference },
    ...(next.assignee ? { assignee: next.assignee } : {}),
    at,
  };
  const flags: RaiseRiskFlag[] = [];
  if ((previous?.reopenCount ?? 0) < REOPENS_FLAGGED && next.reopenCount >= REOPENS_FLAGGED) flags.push({ ...base, reason: 'complaint-reopened' });
  const followUp = next.followUp;
  const earlier = previous?.followUp;
  if (followUp?.outcome === 'not-satisfied' && (earlier === undefined || earlier.at !== followUp.at || earlier.outcome !== followUp.outcome)) {
    flags.push({ ...base, reason: 'complaint-unsatisfied' });
  }
  return flags;
}

/** The writes of the flags a complaint's change raises, through the writer of new flags. */
export function writesForComplaint(writer: RiskFlagWriter, previous: Complaint | undefined, next: Complaint, at: string): Write[] {
  return flagsForComplaint(previous, next, at).flatMap((flag) => writer.raiseWrites(flag));
}
