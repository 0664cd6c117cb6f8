import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

/**
 * Deployment settings, from CDK context (`-c kehu:stage=prod` or cdk.json) or the
 * environment (`KEHU_STAGE=prod`); context wins. A wrong value fails synth with a message
 * naming the setting.
 */
const origin = z.string().check(
  z.regex(/^(https:\/\/[a-z0-9.-]+(:\d+)?|http:\/\/(localhost|127\.0\.0\.1)(:\d+)?)$/, 'must be an https origin (or http://localhost)'),
);

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
};

const numeric = new Set<keyof DeploymentConfig>(['backupRetentionDays', 'keyBackupRetentionDays', 'throttleRate', 'throttleBurst']);

function coerce(name: keyof DeploymentConfig, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (name === 'corsOrigins') return value.split(',').map((o) => o.trim()).filter(Boolean);
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
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '') as keyof DeploymentConfig;
      const where = sources[name] ? `${sources[name].context} (or ${sources[name].env})` : name;
      return `${where}: ${issue.message}`;
    });
    throw new DeploymentConfigError(`Invalid Kehu deployment configuration:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
