import { ComplaintAnnouncer, ComplaintDeadlineJob } from '../../contexts/complaints/escalation.js';
import { ComplaintRepository } from '../../contexts/complaints/repository.js';
import type { Wiring } from '../wiring.js';
import { complaintPoliciesOf } from './complaint-policies.js';
import { complaintsOf } from './complaints.js';
import { notifierOf } from './self.js';

/** The complaints' index reads of the schedule and the announcer (no reference numbers are taken here). */
const complaintIndexOf = (w: Wiring): ComplaintRepository =>
  w.once('complaintIndex', () => new ComplaintRepository(w.store, w.config.indexShards.complaints));

/** The deadline schedule (job `complaint-deadlines`). */
export const complaintDeadlinesOf = (w: Wiring): ComplaintDeadlineJob =>
  w.once(
    'complaintDeadlines',
    () => new ComplaintDeadlineJob({ store: w.store, clock: w.clock, complaints: complaintsOf(w), repository: complaintIndexOf(w) }),
  );

/** Tells staff of escalations (the complaint-escalations queue's consumer). */
export const complaintAnnouncerOf = (w: Wiring): ComplaintAnnouncer =>
  w.once(
    'complaintAnnouncer',
    () =>
      new ComplaintAnnouncer({
        complaints: complaintsOf(w),
        repository: complaintIndexOf(w),
        policies: complaintPoliciesOf(w),
        notifier: notifierOf(w),
      }),
  );
