import { ImprovementActionService } from '../../contexts/complaints/improvements.js';
import { ComplaintReportService } from '../../contexts/complaints/reports.js';
import { ComplaintStats } from '../../contexts/complaints/stats.js';
import type { Wiring } from '../wiring.js';
import { complaintPoliciesOf } from './complaint-policies.js';

/** The complaint policies' calendar zone: the report's local days are the ones the counters were written by. */
const timeZoneOf = (w: Wiring) => async () => (await complaintPoliciesOf(w).current()).calendar.timeZone;

/** The report counters a complaint's change adds to; the caller passes the calendar's zone and the policies with each change. */
export const complaintStatsOf = (w: Wiring): ComplaintStats =>
  w.once('complaintStats', () => new ComplaintStats({ shards: w.config.indexShards.complaints }));

export const improvementsOf = (w: Wiring): ImprovementActionService =>
  w.once(
    'improvements',
    () => new ImprovementActionService({ store: w.store, shards: w.config.indexShards.complaints, clock: w.clock, audit: w.audit, timeZone: timeZoneOf(w) }),
  );

export const complaintReportsOf = (w: Wiring): ComplaintReportService =>
  w.once(
    'complaintReports',
    () => new ComplaintReportService({ store: w.store, shards: w.config.indexShards.complaints, timeZone: timeZoneOf(w), improvements: improvementsOf(w) }),
  );
