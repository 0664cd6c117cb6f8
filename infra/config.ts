import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DEFAULT_INDEX_SHARDS, indexFamilies, MAX_INDEX_SHARDS, MIN_ERASURE_SHARDS } from '../shared/platform/store/sharded.js';
import { shardVariable } from '../shared/runtime/config.js';
import { operatorTypes } from '../shared/contexts/incidents/types.js';
import { parseThresholds } from '../shared/contexts/security/thresholds.js';
import { bundleBudgets } from './bundling.js';

z.config(en());

/**
 * Deployment settings, from CDK context (`-c kehu:stage=prod` or cdk.json) or the
 * environment (`KEHU_STAGE=prod`); context wins. A wrong value fails synth with a message
 * naming the setting.
 */
const origin = z.string().check(
  z.regex(/^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)$/, 'must be an https origin (or http://localhost)'),
);

/** Every function by its context (each has a bundle budget), as `kehu:reservedConcurrency` names them. */
const functionNames = Object.keys(bundleBudgets) as [string, ...string[]];
/** Consumers of an SQS queue: fewer than 5 reserved executions makes Lambda's pollers throttle and retry into the DLQ. */
export const queueConsumers: readonly string[] = ['jobs', 'erasure', 'complaint-escalations', 'survey-dispatch', 'incident-work'];
/** What Lambda keeps unreserved in every account, whatever the functions reserve. */
export const UNRESERVED_CONCURRENCY_FLOOR = 100;

/** Where survey links point: an https origin with an optional path, no trailing slash (the link adds `/answer#token=…`). */
const linkBase = z.string().check(
  z.regex(/^(https:\/\/[a-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~-]+)*|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)$/, 'must be an https URL without a trailing slash (or http://localhost)'),
);
/** The default link base: a reserved name that resolves nowhere, until a deployment sets its answer page (docs/operations.md). */
export const PLACEHOLDER_SURVEY_LINK_BASE = 'https://surveys.example.invalid';
/** The default breach contact, until a deployment names its data protection officer's (docs/operations.md#running-an-incident). */
export const PLACEHOLDER_INCIDENT_CONTACT = 'the data protection officer (see the privacy notice)';

const schema = z.strictObject({
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
  region: z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-central-1')),
  stage: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,15}$/, 'must be lower-case letters, digits and dashes, at most 16')),
  alarmEmail: z.optional(z.email('must be an email address')),
  /** Sender of self-service codes (a verified SES identity); without it no codes are sent. */
  notifyFromAddress: z.optional(z.email('must be an email address')),
  corsOrigins: z.array(origin).check(z.maxLength(20)),
  backupRetentionDays: z.int().check(z.minimum(7), z.maximum(3650)),
  keyBackupRetentionDays: z.int().check(z.minimum(1), z.maximum(35)),
  removalPolicy: z.enum(['retain', 'destroy']),
  throttleRate: z.int().check(z.minimum(1), z.maximum(10_000)),
  throttleBurst: z.int().check(z.minimum(1), z.maximum(5_000)),
  /** Reserved concurrent executions by function; a function not named reserves none. */
  reservedConcurrency: z.partialRecord(z.enum(functionNames), z.int().check(z.minimum(1), z.maximum(10_000))),
  /** The account's concurrency quota in the region: the reservations must leave 100 of it unreserved. */
  accountConcurrency: z.int().check(z.minimum(10), z.maximum(1_000_000)),
  /** Shards of the sharded index keys, `all` for every family (docs/scaling.md says how many a size needs). */
  indexShards: z.partialRecord(z.enum(['all', ...indexFamilies]), z.int().check(z.minimum(1), z.maximum(MAX_INDEX_SHARDS))),
  /** Parallel audit chains; raise only (entries of dropped chains would no longer be verified). */
  auditChains: z.int().check(z.minimum(1), z.maximum(65_536)),
  /** The page that answers survey invitations (SAT-2): invitation links are `<surveyLinkBase>/answer#token=…`. */
  surveyLinkBase: linkBase,
  /** Hours an open risk flag may wait for its call back before RiskFlagsUnhandled counts it (SAT-3). */
  riskFlagHandleHours: z.int().check(z.minimum(1), z.maximum(720)),
  /** Who people and authorities contact about a breach (BR-3, BR-4): in every notice and report (`INCIDENT_CONTACT`). */
  incidentContact: z.string().check(z.minLength(3), z.maxLength(300)),
  /** The operator type under China's incident reporting measures: `critical-infrastructure` and `state-organ` report within 1 hour, not 4. */
  incidentOperatorType: z.enum(operatorTypes),
  /** The unusual-access detector's thresholds as JSON over the defaults (SEC-6), drill accounts among them: `SECURITY_THRESHOLDS`. */
  securityThresholds: z.optional(
    z.string().check(
      z.maxLength(4000),
      z.refine((json) => {
        try {
          parseThresholds(json);
          return true;
        } catch {
          return false;
        }
      }, 'must be JSON thresholds over the defaults, e.g. {"readsPerHourMin": 300, "drillActors": ["drill-1"]}'),
    ),
  ),
});

export type DeploymentConfig = z.infer<typeof schema>;

export class DeploymentConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeploymentConfigError';
  }
}

/** Setting name -> context key and environment variable. */
const sources: Record<keyof DeploymentConfig, { context: string; env: string }> = {
  account: { context: 'kehu:account', env: 'CDK_DEFAULT_ACCOUNT' },
  region: { context: 'kehu:region', env: 'CDK_DEFAULT_REGION' },
  stage: { context: 'kehu:stage', env: 'KEHU_STAGE' },
  alarmEmail: { context: 'kehu:alarmEmail', env: 'KEHU_ALARM_EMAIL' },
  notifyFromAddress: { context: 'kehu:notifyFromAddress', env: 'KEHU_NOTIFY_FROM_ADDRESS' },
  corsOrigins: { context: 'kehu:corsOrigins', env: 'KEHU_CORS_ORIGINS' },
  backupRetentionDays: { context: 'kehu:backupRetentionDays', env: 'KEHU_BACKUP_RETENTION_DAYS' },
  keyBackupRetentionDays: { context: 'kehu:keyBackupRetentionDays', env: 'KEHU_KEY_BACKUP_RETENTION_DAYS' },
  removalPolicy: { context: 'kehu:removalPolicy', env: 'KEHU_REMOVAL_POLICY' },
  throttleRate: { context: 'kehu:throttleRate', env: 'KEHU_THROTTLE_RATE' },
  throttleBurst: { context: 'kehu:throttleBurst', env: 'KEHU_THROTTLE_BURST' },
  reservedConcurrency: { context: 'kehu:reservedConcurrency', env: 'KEHU_RESERVED_CONCURRENCY' },
  accountConcurrency: { context: 'kehu:accountConcurrency', env: 'KEHU_ACCOUNT_CONCURRENCY' },
  indexShards: { context: 'kehu:indexShards', env: 'KEHU_INDEX_SHARDS' },
  auditChains: { context: 'kehu:auditChains', env: 'KEHU_AUDIT_CHAINS' },
  surveyLinkBase: { context: 'kehu:surveyLinkBase', env: 'KEHU_SURVEY_LINK_BASE' },
  riskFlagHandleHours: { context: 'kehu:riskFlagHandleHours', env: 'KEHU_RISK_FLAG_HANDLE_HOURS' },
  incidentContact: { context: 'kehu:incidentContact', env: 'KEHU_INCIDENT_CONTACT' },
  incidentOperatorType: { context: 'kehu:incidentOperatorType', env: 'KEHU_INCIDENT_OPERATOR_TYPE' },
  securityThresholds: { context: 'kehu:securityThresholds', env: 'KEHU_SECURITY_THRESHOLDS' },
};

const defaults: Partial<Record<keyof DeploymentConfig, unknown>> = {
  region: 'eu-central-1',
  stage: 'dev',
  corsOrigins: [],
  backupRetentionDays: 35,
  keyBackupRetentionDays: 7,
  removalPolicy: 'retain',
  throttleRate: 50,
  throttleBurst: 100,
  // None reserved: a reservation is taken from the account's pool, which may be as small
  // as 10 in a new account, and the API's functions are already bounded by the throttle.
  reservedConcurrency: {},
  accountConcurrency: 1000,
  indexShards: {},
  auditChains: 64,
  surveyLinkBase: PLACEHOLDER_SURVEY_LINK_BASE,
  riskFlagHandleHours: 48,
  incidentContact: PLACEHOLDER_INCIDENT_CONTACT,
  incidentOperatorType: 'ordinary',
};

const numeric = new Set<keyof DeploymentConfig>(['backupRetentionDays', 'keyBackupRetentionDays', 'throttleRate', 'throttleBurst', 'accountConcurrency', 'auditChains', 'riskFlagHandleHours']);

/** `customers=20,erasure=5` (or the JSON object `-c` passes as a string): numbers by function. */
function functionCounts(value: string): unknown {
  if (value.trim().startsWith('{')) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  const entries = value.split(',').map((pair) => pair.trim()).filter(Boolean).map((pair) => pair.split('=').map((part) => part.trim()));
  if (entries.some((entry) => entry.length !== 2)) return value;
  return Object.fromEntries(entries.map(([name, count]) => [name, /^\d+$/.test(count!) ? Number(count) : count]));
}

function coerce(name: keyof DeploymentConfig, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (name === 'corsOrigins') return value.split(',').map((o) => o.trim()).filter(Boolean);
  if (name === 'reservedConcurrency' || name === 'indexShards') return functionCounts(value);
  if (numeric.has(name)) return /^\d+$/.test(value) ? Number(value) : value;
  return value === '' ? undefined : value;
}

export function readDeploymentConfig(context: (key: string) => unknown, env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const raw: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(sources) as Array<[keyof DeploymentConfig, { context: string; env: string }]>) {
    const value = context(source.context) ?? env[source.env] ?? defaults[name];
    if (value !== undefined) raw[name] = coerce(name, value);
  }
  const parsed = schema.safeParse(raw);
  const where = (name: keyof DeploymentConfig) => (sources[name] ? `${sources[name].context} (or ${sources[name].env})` : name);
  const problems = parsed.success
    ? [
        ...concurrencyProblems(parsed.data).map((message) => `${where('reservedConcurrency')}: ${message}`),
        ...((parsed.data.indexShards.erasures ?? parsed.data.indexShards.all ?? DEFAULT_INDEX_SHARDS) < MIN_ERASURE_SHARDS
          ? [`${where('indexShards')}: erasures needs at least ${MIN_ERASURE_SHARDS} shards (unfinished erasures filed before sharding sit in 8 partitions); set erasures=${MIN_ERASURE_SHARDS} beside all`]
          : []),
      ]
    : parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '') as keyof DeploymentConfig;
        const key = issue.path.length > 1 ? ` (${issue.path.slice(1).join('.')})` : '';
        const hint =
          name === 'reservedConcurrency'
            ? ` (write function=count pairs such as customers=20,erasure=5; the functions are ${functionNames.join(', ')})`
            : name === 'indexShards'
              ? ` (write family=count pairs such as all=16,customers=1024; the families are all, ${indexFamilies.join(', ')})`
              : '';
        return `${where(name)}${key}: ${issue.message}${hint}`;
      });
  if (!parsed.success || problems.length) throw new DeploymentConfigError(`Invalid Kehu deployment configuration:\n  ${problems.join('\n  ')}`);
  return parsed.data;
}

/**
 * Reservations Lambda would refuse at deploy time, or that would lose messages: the
 * account must keep 100 executions unreserved, and a queue consumer needs at least 5.
 */
function concurrencyProblems(config: DeploymentConfig): string[] {
  const problems: string[] = [];
  const reserved = Object.entries(config.reservedConcurrency) as Array<[string, number]>;
  for (const [name, count] of reserved) {
    if (queueConsumers.includes(name) && count < 5) problems.push(`${name} consumes a queue and needs at least 5 (or none reserved), not ${count}`);
  }
  const total = reserved.reduce((sum, [, count]) => sum + count, 0);
  const limit = config.accountConcurrency - UNRESERVED_CONCURRENCY_FLOOR;
  if (total > limit) {
    problems.push(
      `reserves ${total} executions in all, more than ${limit}: the account must keep ${UNRESERVED_CONCURRENCY_FLOOR} of its ${config.accountConcurrency} unreserved (raise kehu:accountConcurrency after raising the quota)`,
    );
  }
  return problems;
}

/**
 * What every function must agree on, since one writes the keys another lists: the shard
 * counts and the audit chains, as environment variables.
 */
export function scaleEnvironment(config: DeploymentConfig): Record<string, string> {
  const shards = Object.entries(config.indexShards).map(([family, count]) => [family === 'all' ? 'INDEX_SHARDS' : shardVariable(family), String(count)]);
  return { ...Object.fromEntries(shards), AUDIT_CHAINS: String(config.auditChains) };
}
