import { isRole } from '../../platform/access/index.js';
import type { AuditEntry } from '../../platform/audit/index.js';
import { CODE_REJECTED_ACTION } from '../self-service/index.js';
import { uuidOf } from '../surveys/index.js';
import { hourOf, type CounterKind } from './keys.js';
import { findingLevels, type DetectorThresholds, type FindingLevel, type FindingRule } from './types.js';

/** The audit action of a wrong self-service code (SelfService.createSession). */
export const CODE_REJECTED = CODE_REJECTED_ACTION;

/** Verbs of audit actions that show a customer's record to the caller. */
const READ_VERBS = new Set(['read', 'list', 'history', 'search']);

/** A staff read of a customer's record (`customer.read`, `complaint.list`, …); exports count apart. */
export const isCustomerRead = (entry: Pick<AuditEntry, 'action' | 'targetType'>): boolean =>
  entry.targetType === 'customer' && !entry.action.startsWith('export.') && READ_VERBS.has(entry.action.slice(entry.action.lastIndexOf('.') + 1));

export const isExport = (entry: Pick<AuditEntry, 'action'>): boolean => entry.action.startsWith('export.');

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** The local hour (0-23) of an instant in a time zone. */
export function localHour(at: Date, timeZone: string): number {
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', hourCycle: 'h23' });
    hourFormats.set(timeZone, format);
  }
  return Number(format.formatToParts(at).find((part) => part.type === 'hour')?.value ?? '0') % 24;
}

export function isBusinessHour(at: string, hours: DetectorThresholds['businessHours']): boolean {
  const local = localHour(new Date(at), hours.timeZone);
  return local >= hours.start && local < hours.end;
}

/** What one entry adds to one counter. `customer` is set for the distinct-customers counter. */
export interface Contribution {
  kind: CounterKind;
  subject: string;
  subjectRole: string;
  hour: string;
  customer?: string;
}

/**
 * The counters an entry adds to. Entries of `system` actors (the detector's own calls,
 * sweeps, erasures) count for nothing: they are Kehu's own work, not someone's access.
 */
export function contributions(entry: AuditEntry, thresholds: DetectorThresholds): Contribution[] {
  if (entry.role === 'system') return [];
  const hour = hourOf(entry.at);
  const by = (kind: CounterKind, subject = entry.actor): Contribution => ({ kind, subject, subjectRole: entry.role, hour });
  const out: Contribution[] = [];
  if (isRole(entry.role)) {
    if (isExport(entry)) out.push(by('exports'));
    else if (isCustomerRead(entry)) {
      out.push(by('reads'));
      if (!isBusinessHour(entry.at, thresholds.businessHours)) out.push(by('offhours'));
    }
  }
  if (entry.action === CODE_REJECTED) {
    out.push(by('codes-source'));
    if (entry.targetType === 'customer') out.push({ ...by('codes-contact', entry.targetId), subjectRole: 'customer' });
  }
  if (entry.role === 'customer' && entry.targetType === 'customer') out.push({ ...by('token-customers'), customer: entry.targetId });
  return out;
}

/** The threshold of a read rate: the absolute minimum, or the baselines times the factor, whichever is larger. */
export function readThreshold(thresholds: Pick<DetectorThresholds, 'readsPerHourMin' | 'baselineFactor'>, baseline: { actor?: number; role?: number }): number {
  const scaled = [baseline.actor, baseline.role].filter((b): b is number => b !== undefined).map((b) => Math.ceil(b * thresholds.baselineFactor));
  return Math.max(thresholds.readsPerHourMin, ...scaled);
}

/** The fixed threshold of a rule other than `read-rate`; `token-many-customers` flags *more than* N customers. */
export function fixedThreshold(rule: Exclude<FindingRule, 'read-rate'>, thresholds: DetectorThresholds): number {
  switch (rule) {
    case 'off-hours':
      return thresholds.offHoursReadsPerHour;
    case 'bulk-export':
      return thresholds.exportsPerHour;
    case 'failed-codes-contact':
      return thresholds.failedCodesPerContact;
    case 'failed-codes-source':
      return thresholds.failedCodesPerSource;
    case 'token-many-customers':
      return thresholds.customersPerToken + 1;
  }
}

/** medium at the threshold, high at the threshold times `highFactor`; undefined below it. */
export function levelOf(observed: number, threshold: number, highFactor: number): FindingLevel | undefined {
  if (observed < threshold) return undefined;
  return observed >= Math.ceil(threshold * highFactor) ? 'high' : 'medium';
}

const rank = (level: FindingLevel) => findingLevels.indexOf(level);

export const higherLevel = (a: FindingLevel, b: FindingLevel): FindingLevel => (rank(a) >= rank(b) ? a : b);

/** Whether a finding of this level opens a draft incident. */
export const opensIncident = (level: FindingLevel, incidentLevel: DetectorThresholds['incidentLevel']): boolean =>
  incidentLevel !== 'off' && rank(level) >= rank(incidentLevel);

/** One finding per rule, subject and hour: every batch that counts in that hour finds the same one. */
export const findingIdOf = (rule: FindingRule, subject: string, hour: string): string => uuidOf(`finding:${rule}:${subject}:${hour}`);
