import { ComplaintRecords, ComplaintRepository, ComplaintService } from '../../contexts/complaints/index.js';
import type { UnavailableError } from '../../platform/errors/index.js';
import type { Wiring } from '../wiring.js';
import { complaintPoliciesOf } from './complaint-policies.js';
import { customersOf } from './customers.js';
import { eventsOf } from './events.js';
import { complaintStatsOf } from './reports.js';
import { notifierOf } from './self.js';
import { riskFlagsOf } from './risk-flags.js';
import { surveyDispatchesOf } from './surveys.js';

const SURVEY_TRIGGER = { actor: { id: 'survey-trigger', role: 'system' as const }, purpose: 'survey' };

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
        risk: riskFlagsOf(w),
        // A closed complaint may trigger a survey; built on the first close only.
        onClosed: async (complaint) => {
          await surveyDispatchesOf(w).triggerForComplaint(complaint.customerId, complaint.id, SURVEY_TRIGGER);
        },
      }),
  );

/** Complaints for reading only (the access export): no notifier, policies or counters to build. */
export const complaintRecordsOf = (w: Wiring): ComplaintRecords =>
  w.once('complaintRecords', () => new ComplaintRecords({ repository: new ComplaintRepository(w.store, w.config.indexShards.complaints), keys: w.keys, onIntegrityFailure: w.onIntegrityFailure }));
