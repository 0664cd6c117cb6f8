import { ComplaintRecords, ComplaintRepository, ComplaintService } from '../../contexts/complaints/index.js';
import type { UnavailableError } from '../../platform/errors/index.js';
import type { Wiring } from '../wiring.js';
import { complaintPoliciesOf } from './complaint-policies.js';
import { customersOf } from './customers.js';
import { eventsOf } from './events.js';
import { complaintStatsOf } from './reports.js';
import { notifierOf } from './self.js';

const logUndelivered = (error: UnavailableError) =>
  console.error(JSON.stringify({ level: 'ERROR', message: 'complaint notice not sent', causeName: (error.cause as Error | undefined)?.name }));

export const complaintsOf = (w: Wiring): ComplaintService =>
  w.once(
    'complaints',
    () =>
      new ComplaintService({
        repository: new ComplaintRepository(w.store, w.config.indexShards.complaints),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        events: eventsOf(w),
        customers: customersOf(w),
        policies: complaintPoliciesOf(w),
        notifier: notifierOf(w),
        stats: complaintStatsOf(w),
        onUndelivered: w.overrides.onUndelivered ?? logUndelivered,
        onPublishFailure: w.onPublishFailure,
        onIntegrityFailure: w.onIntegrityFailure,
        idempotencyTtlSeconds: w.config.idempotencyTtlSeconds,
      }),
  );

/** Complaints for reading only (the access export): no notifier, policies or counters to build. */
export const complaintRecordsOf = (w: Wiring): ComplaintRecords =>
  w.once('complaintRecords', () => new ComplaintRecords({ repository: new ComplaintRepository(w.store, w.config.indexShards.complaints), keys: w.keys, onIntegrityFailure: w.onIntegrityFailure }));
