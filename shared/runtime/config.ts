import { defaultIndexShards, indexFamilies, MAX_INDEX_SHARDS, MIN_ERASURE_SHARDS, type IndexShards } from '../platform/store/sharded.js';
import { parseReviewIntervals, defaultReviewIntervals, type ReviewIntervals } from '../contexts/customers/review-policy.js';
import { DEFAULT_ALERT_FRACTIONS } from '../contexts/incidents/deadline-monitor.js';
import { defaultObligations, parseObligations } from '../contexts/incidents/obligations.js';
import { operatorTypes, type Obligation, type OperatorType } from '../contexts/incidents/types.js';
import { defaultThresholds, parseThresholds } from '../contexts/security/thresholds.js';
import type { DetectorThresholds } from '../contexts/security/types.js';

/** Everything that differs between deployments, read once at start-up. */
export interface Config {
  tablePrefix: string;
  region: string;
  /** DynamoDB Local's endpoint; absent on AWS. */
  dynamodbEndpoint?: string;
  /** `auditKeyId`: the KMS HMAC key the audit trail's key is derived from (AUDIT_KEY_ID). */
  keys: { provider: 'kms'; kmsKeyId: string; auditKeyId?: string } | { provider: 'local'; keyFile: string };
  /** Where checkpoints of the audit chains' heads are kept: S3 with Object Lock in AWS, an append-only file locally. */
  auditAnchor: { provider: 's3'; bucket: string } | { provider: 'file'; path: string } | { provider: 'none' };
  /** Most audit entries one verification call checks before answering a `next` cursor. */
  auditVerifyPageEntries: number;
  /** Parallel audit chains (AUDIT_CHAINS): each is one partition key, appended to one entry at a time. Raise only. */
  auditChains: number;
  keyCache: { maxEntries: number; ttlMs: number };
  reviewIntervals: ReviewIntervals;
  idempotencyTtlSeconds: number;
  /** Customer numbers one instance reserves at a time (CUSTOMER_NUMBER_BLOCK): unique, increasing per block, with gaps. */
  customerNumberBlock: number;
  /**
   * Shards of each sharded index partition (INDEX_SHARDS, INDEX_SHARDS_<FAMILY>): see
   * docs/scaling.md. Raising a count is safe on a live table; lowering one needs a re-index.
   */
  indexShards: IndexShards;
  corsOrigins: string[];
  /** Where domain events go: an EventBridge bus in AWS, a file locally. */
  events: { provider: 'eventbridge'; busName: string } | { provider: 'file'; path: string } | { provider: 'none' };
  /** How one-time codes reach customers: SES and SNS in AWS, an outbox folder locally. */
  notifier: { provider: 'aws'; fromAddress: string } | { provider: 'outbox'; folder: string } | { provider: 'none' };
  /** Where documents too large for an HTTP answer wait for their requester: S3 in AWS, a folder locally. */
  downloads: { provider: 's3'; bucket: string } | { provider: 'folder'; folder: string } | { provider: 'none' };
  /** Answers larger than this are offered as a download instead (Lambda answers at most 6 MB). */
  responseInlineMaxBytes: number;
  /** Where a survey invitation's answer link points (SURVEY_LINK_BASE): `<base>/answer#token=…`. */
  surveyLinkBase: string;
  /** Hours a risk flag may stay unhandled before the RiskFlagsUnhandled alarm counts it (RISK_FLAG_HANDLE_HOURS). */
  riskFlagHandleHours: number;
  /** The legal obligations an incident is held to (INCIDENT_OBLIGATIONS, JSON; defaults from the law). */
  incidentObligations: Obligation[];
  /** The operator type of China's incident reporting measures (INCIDENT_OPERATOR_TYPE): decides the 4 or 1 hour clock. */
  incidentOperatorType: OperatorType;
  /** Fractions of each deadline at which an alert is announced (INCIDENT_ALERT_FRACTIONS, `0.5,0.9,1`). */
  incidentAlertFractions: number[];
  /** Who people and authorities contact about an incident (INCIDENT_CONTACT): in every notice and report. */
  incidentContact: string;
  /** Unusual-access thresholds (SECURITY_THRESHOLDS, JSON over the defaults). */
  securityThresholds: DetectorThresholds;
  /** Where a drill's notices go instead of customers: a folder locally, the log in AWS; none refuses drills' notices. */
  drillSink: { provider: 'folder'; folder: string } | { provider: 'log' } | { provider: 'none' };
}

export class ConfigError extends Error {
  constructor(variable: string, rule: string) {
    super(`${variable} ${rule}`);
    this.name = 'ConfigError';
  }
}

const positiveInt = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
  if (value < 1) throw new ConfigError(name, 'must be a positive integer.');
  return value;
};

/** The variable of one family's shard count: `auditActors` → INDEX_SHARDS_AUDIT_ACTORS. */
export const shardVariable = (family: string): string => `INDEX_SHARDS_${family.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

const shardCount = (env: NodeJS.ProcessEnv, name: string, fallback: number): number => {
  const count = positiveInt(env, name, fallback);
  if (count > MAX_INDEX_SHARDS) throw new ConfigError(name, `must be at most ${MAX_INDEX_SHARDS}.`);
  return count;
};

/** INDEX_SHARDS for every family, INDEX_SHARDS_<FAMILY> for one. */
function indexShardsFrom(env: NodeJS.ProcessEnv): IndexShards {
  const all = shardCount(env, 'INDEX_SHARDS', defaultIndexShards.customers);
  const shards = Object.fromEntries(indexFamilies.map((family) => [family, shardCount(env, shardVariable(family), all)])) as Record<keyof IndexShards, number>;
  // Unfinished erasures filed before sharding sit in ERASURE#UNFINISHED#0 to #7: fewer shards would hide them.
  if (shards.erasures < MIN_ERASURE_SHARDS) throw new ConfigError(shardVariable('erasures'), `must be at least ${MIN_ERASURE_SHARDS} (set it apart from INDEX_SHARDS).`);
  return shards;
}

/** A JSON setting parsed by `parse`, its error reported under the variable's name. */
function jsonSetting<T>(env: NodeJS.ProcessEnv, name: string, parse: (json: string) => T, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    return parse(raw);
  } catch (error) {
    throw new ConfigError(name, (error as Error).message);
  }
}

function alertFractions(env: NodeJS.ProcessEnv): number[] {
  const raw = env.INCIDENT_ALERT_FRACTIONS;
  if (raw === undefined || raw === '') return [...DEFAULT_ALERT_FRACTIONS];
  const fractions = raw.split(',').map((part) => Number(part.trim()));
  if (!fractions.length || fractions.some((f) => !Number.isFinite(f) || f <= 0 || f > 2)) {
    throw new ConfigError('INCIDENT_ALERT_FRACTIONS', 'must be comma-separated fractions above 0 and at most 2, e.g. 0.5,0.9,1.');
  }
  return [...new Set(fractions)].sort((a, b) => a - b);
}

function operatorType(env: NodeJS.ProcessEnv): OperatorType {
  const raw = env.INCIDENT_OPERATOR_TYPE || 'ordinary';
  if (!(operatorTypes as readonly string[]).includes(raw)) throw new ConfigError('INCIDENT_OPERATOR_TYPE', `must be one of ${operatorTypes.join(', ')}.`);
  return raw as OperatorType;
}

/** Reads the configuration from environment variables, failing fast with the variable's name. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const provider = env.KEY_PROVIDER ?? 'kms';
  let keys: Config['keys'];
  if (provider === 'kms') {
    if (!env.KMS_KEY_ID) throw new ConfigError('KMS_KEY_ID', 'is required when KEY_PROVIDER is kms.');
    keys = { provider, kmsKeyId: env.KMS_KEY_ID, ...(env.AUDIT_KEY_ID ? { auditKeyId: env.AUDIT_KEY_ID } : {}) };
  } else if (provider === 'local') {
    if (!env.LOCAL_KEY_FILE) throw new ConfigError('LOCAL_KEY_FILE', 'is required when KEY_PROVIDER is local.');
    keys = { provider, keyFile: env.LOCAL_KEY_FILE };
  } else {
    throw new ConfigError('KEY_PROVIDER', 'must be kms or local.');
  }
  let reviewIntervals = defaultReviewIntervals;
  try {
    if (env.REVIEW_INTERVALS) reviewIntervals = parseReviewIntervals(env.REVIEW_INTERVALS);
  } catch (error) {
    throw new ConfigError('REVIEW_INTERVALS', (error as Error).message);
  }
  return {
    tablePrefix: env.TABLE_PREFIX || 'kehu',
    region: env.AWS_REGION || 'us-east-1',
    ...(env.DYNAMODB_ENDPOINT ? { dynamodbEndpoint: env.DYNAMODB_ENDPOINT } : {}),
    keys,
    keyCache: {
      maxEntries: positiveInt(env, 'KEY_CACHE_MAX_ENTRIES', 1000),
      ttlMs: positiveInt(env, 'KEY_CACHE_TTL_SECONDS', 300) * 1000,
    },
    reviewIntervals,
    idempotencyTtlSeconds: positiveInt(env, 'IDEMPOTENCY_TTL_SECONDS', 24 * 60 * 60),
    customerNumberBlock: positiveInt(env, 'CUSTOMER_NUMBER_BLOCK', 100),
    indexShards: indexShardsFrom(env),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    events: env.EVENT_BUS_NAME
      ? { provider: 'eventbridge', busName: env.EVENT_BUS_NAME }
      : env.EVENTS_FILE
        ? { provider: 'file', path: env.EVENTS_FILE }
        : { provider: 'none' },
    notifier: env.NOTIFY_FROM_ADDRESS
      ? { provider: 'aws', fromAddress: env.NOTIFY_FROM_ADDRESS }
      : env.NOTIFY_OUTBOX
        ? { provider: 'outbox', folder: env.NOTIFY_OUTBOX }
        : { provider: 'none' },
    downloads: env.DOWNLOADS_BUCKET
      ? { provider: 's3', bucket: env.DOWNLOADS_BUCKET }
      : env.DOWNLOADS_FOLDER
        ? { provider: 'folder', folder: env.DOWNLOADS_FOLDER }
        : { provider: 'none' },
    responseInlineMaxBytes: positiveInt(env, 'RESPONSE_INLINE_MAX_BYTES', 5_000_000),
    surveyLinkBase: (env.SURVEY_LINK_BASE || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    riskFlagHandleHours: positiveInt(env, 'RISK_FLAG_HANDLE_HOURS', 48),
    incidentObligations: jsonSetting(env, 'INCIDENT_OBLIGATIONS', parseObligations, defaultObligations),
    incidentOperatorType: operatorType(env),
    incidentAlertFractions: alertFractions(env),
    incidentContact: env.INCIDENT_CONTACT || 'the data protection officer (see the privacy notice)',
    securityThresholds: jsonSetting(env, 'SECURITY_THRESHOLDS', parseThresholds, defaultThresholds),
    drillSink: env.DRILL_SINK_FOLDER ? { provider: 'folder', folder: env.DRILL_SINK_FOLDER } : env.DRILL_SINK === 'log' ? { provider: 'log' } : { provider: 'none' },
    auditVerifyPageEntries: positiveInt(env, 'AUDIT_VERIFY_PAGE_ENTRIES', 5_000),
    auditChains: positiveInt(env, 'AUDIT_CHAINS', 64),
    auditAnchor: env.AUDIT_CHECKPOINT_BUCKET
      ? { provider: 's3', bucket: env.AUDIT_CHECKPOINT_BUCKET }
      : env.AUDIT_CHECKPOINT_FILE
        ? { provider: 'file', path: env.AUDIT_CHECKPOINT_FILE }
        : { provider: 'none' },
  };
}
