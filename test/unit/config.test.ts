import { describe, expect, it } from 'vitest';
import { defaultReviewIntervals } from '../../shared/contexts/customers/review-policy.js';
import { ConfigError, configFromEnv } from '../../shared/runtime/config.js';
import { defaultIndexShards } from '../../shared/platform/store/sharded.js';
import { defaultObligations } from '../../shared/contexts/incidents/obligations.js';
import { defaultThresholds } from '../../shared/contexts/security/thresholds.js';

const local = { KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/tmp/kehu/master.key' };

const configErrorOf = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    configFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('configFromEnv', () => {
  it('gives the expected config for a valid local environment, with defaults', () => {
    expect(configFromEnv({ ...local, CORS_ORIGINS: 'http://localhost:5173, https://app.example.com,,' })).toEqual({
      tablePrefix: 'kehu',
      region: 'us-east-1',
      keys: { provider: 'local', keyFile: '/tmp/kehu/master.key' },
      keyCache: { maxEntries: 1000, ttlMs: 300_000 },
      reviewIntervals: defaultReviewIntervals,
      idempotencyTtlSeconds: 86_400,
      customerNumberBlock: 100,
      indexShards: defaultIndexShards,
      corsOrigins: ['http://localhost:5173', 'https://app.example.com'],
      events: { provider: 'none' },
      notifier: { provider: 'none' },
      downloads: { provider: 'none' },
      responseInlineMaxBytes: 5_000_000,
      surveyLinkBase: 'http://127.0.0.1:3000',
      riskFlagHandleHours: 48,
      incidentObligations: defaultObligations,
      incidentOperatorType: 'ordinary',
      incidentAlertFractions: [0.5, 0.9, 1],
      incidentContact: 'the data protection officer (see the privacy notice)',
      securityThresholds: defaultThresholds,
      drillSink: { provider: 'none' },
      auditAnchor: { provider: 'none' },
      auditVerifyPageEntries: 5_000,
      auditChains: 64,
    });
  });

  it('keeps audit checkpoints in a bucket or a file, keys the trail with the HMAC key, and bounds a verification call', () => {
    expect(configFromEnv({ ...local, AUDIT_CHECKPOINT_BUCKET: 'kehu-prod-audit' }).auditAnchor).toEqual({ provider: 's3', bucket: 'kehu-prod-audit' });
    expect(configFromEnv({ ...local, AUDIT_CHECKPOINT_FILE: '/tmp/a.log' }).auditAnchor).toEqual({ provider: 'file', path: '/tmp/a.log' });
    expect(configFromEnv({ KMS_KEY_ID: 'alias/kehu', AUDIT_KEY_ID: 'alias/kehu-audit' }).keys).toEqual({
      provider: 'kms',
      kmsKeyId: 'alias/kehu',
      auditKeyId: 'alias/kehu-audit',
    });
    expect(configFromEnv({ ...local, AUDIT_VERIFY_PAGE_ENTRIES: '200' }).auditVerifyPageEntries).toBe(200);
    expect(configFromEnv({ ...local, AUDIT_CHAINS: '4096' }).auditChains).toBe(4096);
    expect(configErrorOf({ ...local, AUDIT_VERIFY_PAGE_ENTRIES: '0' }).message).toMatch(/AUDIT_VERIFY_PAGE_ENTRIES/);
  });

  it('offers large answers through a bucket or a folder when told', () => {
    expect(configFromEnv({ ...local, DOWNLOADS_BUCKET: 'kehu-prod-downloads' }).downloads).toEqual({ provider: 's3', bucket: 'kehu-prod-downloads' });
    expect(configFromEnv({ ...local, DOWNLOADS_FOLDER: '/tmp/d' }).downloads).toEqual({ provider: 'folder', folder: '/tmp/d' });
    expect(configFromEnv({ ...local, RESPONSE_INLINE_MAX_BYTES: '1000' }).responseInlineMaxBytes).toBe(1000);
    expect(configErrorOf({ ...local, RESPONSE_INLINE_MAX_BYTES: 'big' }).message).toMatch(/RESPONSE_INLINE_MAX_BYTES/);
  });

  it('reads the shard count of every index family, one family overriding the default', () => {
    expect(defaultIndexShards.customers).toBe(16);
    const shards = configFromEnv({ ...local, INDEX_SHARDS: '32', INDEX_SHARDS_CUSTOMERS: '512', INDEX_SHARDS_AUDIT_ACTORS: '8' }).indexShards;
    expect(shards).toEqual({ customers: 512, interactions: 32, consents: 32, requests: 32, shares: 32, erasures: 32, auditActors: 8, complaints: 32, surveys: 32, riskFlags: 32, incidents: 32, findings: 32 });
    expect(configErrorOf({ ...local, INDEX_SHARDS: '0' }).message).toMatch(/^INDEX_SHARDS /);
    expect(configErrorOf({ ...local, INDEX_SHARDS_REQUESTS: '2000' }).message).toMatch(/^INDEX_SHARDS_REQUESTS must be at most 1024/);
    // Erasure runs filed before sharding sit in 8 partitions: fewer erasure shards would hide them.
    expect(configErrorOf({ ...local, INDEX_SHARDS: '4' }).message).toMatch(/^INDEX_SHARDS_ERASURES must be at least 8/);
    expect(configFromEnv({ ...local, INDEX_SHARDS: '4', INDEX_SHARDS_ERASURES: '8' }).indexShards).toMatchObject({ customers: 4, erasures: 8 });
  });

  it('sends events to EventBridge or a file when told', () => {
    expect(configFromEnv({ ...local, EVENT_BUS_NAME: 'kehu-prod' }).events).toEqual({ provider: 'eventbridge', busName: 'kehu-prod' });
    expect(configFromEnv({ ...local, EVENTS_FILE: '/tmp/e.jsonl' }).events).toEqual({ provider: 'file', path: '/tmp/e.jsonl' });
  });

  it('reads every variable when set', () => {
    const config = configFromEnv({
      ...local,
      TABLE_PREFIX: 'kehu-test',
      AWS_REGION: 'eu-central-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000',
      KEY_CACHE_MAX_ENTRIES: '50',
      KEY_CACHE_TTL_SECONDS: '60',
      IDEMPOTENCY_TTL_SECONDS: '3600',
      CUSTOMER_NUMBER_BLOCK: '20',
      REVIEW_INTERVALS: 'vip=30',
    });
    expect(config.customerNumberBlock).toBe(20);
    expect(config.tablePrefix).toBe('kehu-test');
    expect(config.region).toBe('eu-central-1');
    expect(config.dynamodbEndpoint).toBe('http://127.0.0.1:8000');
    expect(config.keyCache).toEqual({ maxEntries: 50, ttlMs: 60_000 });
    expect(config.idempotencyTtlSeconds).toBe(3600);
    expect(config.reviewIntervals.vip).toBe(30);
    expect(config.corsOrigins).toEqual([]);
  });

  it('leaves dynamodbEndpoint absent when not set', () => {
    expect('dynamodbEndpoint' in configFromEnv(local)).toBe(false);
  });

  it('defaults to KMS and reads its key id', () => {
    expect(configFromEnv({ KMS_KEY_ID: 'alias/kehu' }).keys).toEqual({ provider: 'kms', kmsKeyId: 'alias/kehu' });
  });

  it('requires KMS_KEY_ID with KEY_PROVIDER=kms', () => {
    const error = configErrorOf({ KEY_PROVIDER: 'kms' });
    expect(error.message).toContain('KMS_KEY_ID');
    expect(configErrorOf({}).message).toContain('KMS_KEY_ID');
    expect(configErrorOf({ KEY_PROVIDER: 'kms', KMS_KEY_ID: '' }).message).toContain('KMS_KEY_ID');
  });

  it('requires LOCAL_KEY_FILE with KEY_PROVIDER=local', () => {
    expect(configErrorOf({ KEY_PROVIDER: 'local' }).message).toContain('LOCAL_KEY_FILE');
  });

  it('refuses an unknown KEY_PROVIDER', () => {
    for (const provider of ['vault', 'KMS', 'Local']) {
      const error = configErrorOf({ KEY_PROVIDER: provider, KMS_KEY_ID: 'k', LOCAL_KEY_FILE: '/k' });
      expect(error.message).toContain('KEY_PROVIDER');
      expect(error.name).toBe('ConfigError');
    }
  });

  it.each(['abc', '1.5', '0', '-3', 'NaN', 'Infinity'])('refuses KEY_CACHE_TTL_SECONDS=%j, naming it', (value) => {
    const error = configErrorOf({ ...local, KEY_CACHE_TTL_SECONDS: value });
    expect(error.message).toContain('KEY_CACHE_TTL_SECONDS');
    expect(error.message).toContain('positive integer');
  });

  it('names the other numeric variables when they are invalid', () => {
    expect(configErrorOf({ ...local, KEY_CACHE_MAX_ENTRIES: 'many' }).message).toContain('KEY_CACHE_MAX_ENTRIES');
    expect(configErrorOf({ ...local, IDEMPOTENCY_TTL_SECONDS: '2.5' }).message).toContain('IDEMPOTENCY_TTL_SECONDS');
  });

  it('treats an empty numeric variable as unset', () => {
    expect(configFromEnv({ ...local, KEY_CACHE_TTL_SECONDS: '' }).keyCache.ttlMs).toBe(300_000);
  });

  it('reports a malformed REVIEW_INTERVALS as a ConfigError naming it and the entry', () => {
    const error = configErrorOf({ ...local, REVIEW_INTERVALS: 'vip=soon' });
    expect(error.message).toContain('REVIEW_INTERVALS');
    expect(error.message).toContain('vip=soon');
  });
});

describe('configFromEnv incident and detector settings', () => {
  it('reads the operator type, alert fractions, contact and drill sink', () => {
    const config = configFromEnv({ ...local, INCIDENT_OPERATOR_TYPE: 'critical-infrastructure', INCIDENT_ALERT_FRACTIONS: '0.9, 0.25,1', INCIDENT_CONTACT: 'dpo@example.com', DRILL_SINK: 'log' });
    expect(config.incidentOperatorType).toBe('critical-infrastructure');
    expect(config.incidentAlertFractions).toEqual([0.25, 0.9, 1]);
    expect(config.incidentContact).toBe('dpo@example.com');
    expect(config.drillSink).toEqual({ provider: 'log' });
    expect(configFromEnv({ ...local, DRILL_SINK_FOLDER: '/tmp/drills' }).drillSink).toEqual({ provider: 'folder', folder: '/tmp/drills' });
  });

  it('names the variable of a bad operator type, fraction list, obligation table or threshold set', () => {
    expect(configErrorOf({ ...local, INCIDENT_OPERATOR_TYPE: 'bank' }).message).toContain('INCIDENT_OPERATOR_TYPE');
    expect(configErrorOf({ ...local, INCIDENT_ALERT_FRACTIONS: '0.5,soon' }).message).toContain('INCIDENT_ALERT_FRACTIONS');
    expect(configErrorOf({ ...local, INCIDENT_ALERT_FRACTIONS: '0' }).message).toContain('INCIDENT_ALERT_FRACTIONS');
    expect(configErrorOf({ ...local, INCIDENT_OBLIGATIONS: '{not json' }).message).toContain('INCIDENT_OBLIGATIONS');
    expect(configErrorOf({ ...local, SECURITY_THRESHOLDS: '{"readsPerHourMin": -3}' }).message).toContain('SECURITY_THRESHOLDS');
  });

  it('overrides thresholds given as JSON and keeps the other defaults', () => {
    const config = configFromEnv({ ...local, SECURITY_THRESHOLDS: '{"readsPerHourMin": 50}' });
    expect(config.securityThresholds.readsPerHourMin).toBe(50);
    expect(config.securityThresholds.baselineFactor).toBe(defaultThresholds.baselineFactor);
  });
});

describe('configFromEnv number parsing', () => {
  it.each(['1e3', '0x10', ' 5 ', '-1', '0', '2.5'])('refuses KEY_CACHE_TTL_SECONDS=%j', (value) => {
    expect(() => configFromEnv({ KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/k', KEY_CACHE_TTL_SECONDS: value })).toThrow(/KEY_CACHE_TTL_SECONDS/);
  });
});
