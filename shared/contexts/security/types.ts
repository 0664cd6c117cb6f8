/**
 * Unusual access (SEC-6): findings the detector raises from the audit trail as it is
 * written. Actor ids, roles, counts and times only: an audit entry holds no personal data,
 * and neither does a finding.
 */

export const findingRules = ['read-rate', 'bulk-export', 'off-hours', 'failed-codes-contact', 'failed-codes-source', 'token-many-customers'] as const;
export type FindingRule = (typeof findingRules)[number];

export const findingLevels = ['low', 'medium', 'high'] as const;
export type FindingLevel = (typeof findingLevels)[number];

/** One finding: a rule crossed by one subject (an actor, a contact, a source) in one hour. */
export interface Finding {
  /** Deterministic: one finding per rule, subject and hour (later batches raise its count). */
  id: string;
  rule: FindingRule;
  level: FindingLevel;
  /** The actor whose entries crossed the rule (for `failed-codes-contact`, the customer id attacked). */
  subject: string;
  subjectRole?: string;
  /** The hour counted, `YYYY-MM-DDTHH` (UTC). */
  hour: string;
  /** What was counted in that hour. */
  observed: number;
  /** The threshold it crossed (the larger of the absolute minimum and the baselines times the factor). */
  threshold: number;
  /** The subject's own hourly baseline and its role's, when known. */
  baseline?: { actor?: number; role?: number };
  firstAt: string;
  lastAt: string;
  /** The draft incident it opened (level at or above the configured one). */
  incidentId?: string;
  updatedAt: string;
}

/** Thresholds (configuration SECURITY_THRESHOLDS, JSON; defaults in detector-config.ts). */
export interface DetectorThresholds {
  /** Customer-record reads per actor-hour never flagged below this. */
  readsPerHourMin: number;
  /** A read rate this many times the actor's or the role's baseline is unusual. */
  baselineFactor: number;
  /** Export entries (one per customer exported) per actor-hour. */
  exportsPerHour: number;
  /** Reads outside business hours per actor-hour. */
  offHoursReadsPerHour: number;
  /** Business hours in `timeZone`, [start, end) in whole hours. */
  businessHours: { start: number; end: number; timeZone: string };
  /** Wrong self-service codes per contact (customer) per hour, and per source per hour. */
  failedCodesPerContact: number;
  failedCodesPerSource: number;
  /** Distinct customers one customer token may touch per hour (its own: 1). */
  customersPerToken: number;
  /** `high` when observed ≥ threshold × this. */
  highFactor: number;
  /** Findings at or above this level open a draft incident ('off' never). */
  incidentLevel: FindingLevel | 'off';
  /**
   * Staff accounts kept for drills: a finding on one opens a drill (`drill: true`), which
   * runs the whole path with its notices going to the drill sink. Empty by default.
   */
  drillActors: string[];
}
