import { findingLevels, type DetectorThresholds } from './types.js';

/** The thresholds a deployment starts with (SECURITY_THRESHOLDS overrides any of them). */
export const defaultThresholds: DetectorThresholds = {
  readsPerHourMin: 200,
  baselineFactor: 5,
  exportsPerHour: 1000,
  offHoursReadsPerHour: 50,
  businessHours: { start: 7, end: 22, timeZone: 'Asia/Shanghai' },
  failedCodesPerContact: 10,
  failedCodesPerSource: 30,
  customersPerToken: 3,
  highFactor: 1.5,
  incidentLevel: 'high',
  drillActors: [],
};

const counts = ['readsPerHourMin', 'exportsPerHour', 'offHoursReadsPerHour', 'failedCodesPerContact', 'failedCodesPerSource', 'customersPerToken'] as const;
const factors = ['baselineFactor', 'highFactor'] as const;
const known = new Set<string>([...counts, ...factors, 'businessHours', 'incidentLevel', 'drillActors']);
/** Actor ids as the audit trail holds them: no free text. */
const actorId = /^[\w.@:-]{1,128}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const bad = (key: string, why: string) => new Error(`SECURITY_THRESHOLDS: "${key}" ${why}.`);

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function hour(key: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw bad(key, `must be a whole hour from 0 to ${max}`);
  return value;
}

/**
 * Thresholds from JSON: any subset of the fields over the defaults (`businessHours` too may
 * be partial). An unknown or ill-typed key throws an Error naming it, so a typo never
 * silently leaves a default in force.
 */
export function parseThresholds(json: string): DetectorThresholds {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('SECURITY_THRESHOLDS must be a JSON object, e.g. {"readsPerHourMin": 300}.');
  }
  if (!isObject(raw)) throw new Error('SECURITY_THRESHOLDS must be a JSON object, e.g. {"readsPerHourMin": 300}.');
  const result: DetectorThresholds = { ...defaultThresholds, businessHours: { ...defaultThresholds.businessHours }, drillActors: [...defaultThresholds.drillActors] };
  for (const [key, value] of Object.entries(raw)) {
    if (!known.has(key)) throw bad(key, 'is not a threshold');
    if ((counts as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw bad(key, 'must be a whole number of at least 1');
      result[key as (typeof counts)[number]] = value;
    } else if ((factors as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 1) throw bad(key, 'must be a number of at least 1');
      result[key as (typeof factors)[number]] = value;
    } else if (key === 'drillActors') {
      if (!Array.isArray(value) || value.some((a) => typeof a !== 'string' || !actorId.test(a))) throw bad(key, 'must be a list of actor ids');
      result.drillActors = [...(value as string[])];
    } else if (key === 'incidentLevel') {
      if (typeof value !== 'string' || !([...findingLevels, 'off'] as string[]).includes(value)) throw bad(key, `must be one of ${[...findingLevels, 'off'].join(', ')}`);
      result.incidentLevel = value as DetectorThresholds['incidentLevel'];
    } else {
      if (!isObject(value)) throw bad(key, 'must be an object {start, end, timeZone}');
      for (const [part, v] of Object.entries(value)) {
        const name = `businessHours.${part}`;
        if (part === 'start') result.businessHours.start = hour(name, v, 23);
        else if (part === 'end') result.businessHours.end = hour(name, v, 24);
        else if (part === 'timeZone') {
          if (typeof v !== 'string' || !validTimeZone(v)) throw bad(name, 'must be an IANA time zone, e.g. Asia/Shanghai');
          result.businessHours.timeZone = v;
        } else throw bad(name, 'is not a threshold');
      }
      if (result.businessHours.start >= result.businessHours.end) throw bad('businessHours.end', 'must be after businessHours.start');
    }
  }
  return result;
}
