import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, Validations, type App, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nagPacks, type KehuStacks } from '../../infra/app.js';
import { bundleBudgets } from '../../infra/bundling.js';
import { DeploymentConfigError, readDeploymentConfig } from '../../infra/config.js';
import { buildTestApp, fullContext as everyOptionalResource, synthesized } from './support.js';

/**
 * The packs read the templates' properties, not the functions' code: these apps skip
 * bundling (a second to build instead of half a minute), and both packs check one build.
 * `npm run synth` below bundles for real.
 */
const unbundled = { 'aws:cdk:bundling-stacks': [] };
/** Every optional resource on: the SMS permission, CORS, the alarm subscription. */
const fullContext = { ...unbundled, ...everyOptionalResource };

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
  );
}

const findings = (report: PolicyValidationPluginReport) =>
  report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}: ${r.constructPath ?? r.resourceLogicalId}`));

describe('cdk-nag: AwsSolutions and NIST 800-53 rev. 5', () => {
  let app: App;
  beforeAll(() => {
    app = buildTestApp(fullContext).app;
  });

  it('finds no violation of either pack left in the whole app', () => {
    for (const pack of nagPacks()) {
      const report = pack.validateScope(app);
      expect(findings(report), pack.name).toEqual([]);
      expect(report.success).toBe(true);
    }
  });

  it('gives every acknowledgement a specific reason, for a rule of one of the packs', () => {
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^(AwsSolutions-[A-Z]+\d+|NIST\.800\.53\.R5-[A-Za-z0-9]+)(\[.+\])?$/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(80);
    }
    // One reason per rule: two rules share an explanation only where both packs check the same thing.
    const sameRule = new Set(['AwsSolutions-S1 + NIST.800.53.R5-S3BucketLoggingEnabled', 'AwsSolutions-KMS5 + NIST.800.53.R5-KMSBackingKeyRotationEnabled']);
    const rulesByReason = new Map<string, Set<string>>();
    for (const ack of acks) rulesByReason.set(ack.reason, (rulesByReason.get(ack.reason) ?? new Set()).add(ack.id.replace(/\[.+\]$/, '')));
    for (const [reason, ids] of rulesByReason) {
      if (ids.size > 1) expect(sameRule, `one reason for ${[...ids].join(', ')}: ${reason}`).toContain([...ids].sort().join(' + '));
    }
  });

  it('acknowledges nothing the deployment can fix: log groups are encrypted, nothing skips NIST wholesale', () => {
    const nist = acknowledgements(app).filter((ack) => ack.id.startsWith('NIST'));
    expect(new Set(nist.map((ack) => ack.id))).not.toContain('NIST.800.53.R5-CloudWatchLogGroupEncrypted');
    // Acknowledged on the resource or its construct, never on a stack or the app.
    for (const ack of nist) expect(ack.path.split('/').length, `${ack.id} on ${ack.path}`).toBeGreaterThan(1);
  });
});

describe('cdk-nag: the checks are live', () => {
  let added: { app: App; stacks: KehuStacks };
  beforeAll(async () => {
    added = buildTestApp(unbundled);
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const { LogGroup } = await import('aws-cdk-lib/aws-logs');
    new Queue(added.stacks.events, 'Unprotected');
    new LogGroup(added.stacks.api, 'Unencrypted');
  });

  it('AwsSolutions catches an unprotected queue', () => {
    const [awsSolutions] = nagPacks();
    expect(awsSolutions.validateScope(added.app).violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('NIST 800-53 catches an unencrypted log group, despite the acknowledgements elsewhere', () => {
    const [, nist] = nagPacks();
    expect(findings(nist.validateScope(added.app))).toEqual(['NIST.800.53.R5-CloudWatchLogGroupEncrypted: Kehu-test-Api/Unencrypted/Resource']);
  });
});

describe('reserved concurrency', () => {
  /** Functions as they will be synthesized, read from the tree: no synth needed. */
  const functionsOf = (stacks: KehuStacks) =>
    [stacks.api, stacks.events]
      .flatMap((stack) => stack.node.findAll())
      .filter((c): c is CfnFunction => c instanceof CfnFunction)
      .map((fn) => ({ name: Stack.of(fn).resolve(fn.functionName) as string, reserved: fn.reservedConcurrentExecutions }));

  it('reserves none by default, and says so to NIST with the setting that changes it', () => {
    const { stacks } = buildTestApp(unbundled);
    const fns = functionsOf(stacks);
    expect(fns).toHaveLength(Object.keys(bundleBudgets).length);
    for (const fn of fns) expect(fn.reserved, fn.name).toBeUndefined();
    const acks = acknowledgements(stacks.api.node.root).filter((ack) => ack.id === 'NIST.800.53.R5-LambdaConcurrency');
    expect(acks).toHaveLength(fns.length);
    for (const ack of acks) expect(ack.reason).toContain('kehu:reservedConcurrency');
  });

  it('reserves what the deployment sets, per function, and acknowledges only the others', () => {
    const { app, stacks } = buildTestApp({ ...unbundled, 'kehu:reservedConcurrency': 'customers=20, erasure=5' });
    const reserved = Object.fromEntries(functionsOf(stacks).map((fn) => [fn.name, fn.reserved]));
    expect(reserved['kehu-test-customers']).toBe(20);
    expect(reserved['kehu-test-erasure']).toBe(5);
    expect(Object.values(reserved).filter((n) => n !== undefined)).toHaveLength(2);
    const acknowledged = acknowledgements(app).filter((ack) => ack.id === 'NIST.800.53.R5-LambdaConcurrency').map((ack) => ack.path);
    expect(acknowledged).not.toContain('Kehu-test-Api/Customers/Function');
    expect(acknowledged).not.toContain('Kehu-test-Events/ErasureConsumer/Function');
    expect(acknowledged).toHaveLength(Object.keys(bundleBudgets).length - 2);
    const [, nist] = nagPacks();
    expect(findings(nist.validateScope(app))).toEqual([]);
  });
});

describe('deployment configuration', () => {
  const read = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => readDeploymentConfig((k) => context[k], env);

  it('has sensible defaults and reads context before the environment', () => {
    expect(read({})).toMatchObject({ stage: 'dev', region: 'eu-central-1', backupRetentionDays: 35, keyBackupRetentionDays: 7, removalPolicy: 'retain', corsOrigins: [] });
    expect(read({})).toMatchObject({ reservedConcurrency: {}, accountConcurrency: 1000 });
    expect(read({ 'kehu:stage': 'prod' }, { KEHU_STAGE: 'qa' }).stage).toBe('prod');
    expect(read({}, { KEHU_STAGE: 'qa', KEHU_CORS_ORIGINS: 'https://a.example, https://b.example' })).toMatchObject({
      stage: 'qa',
      corsOrigins: ['https://a.example', 'https://b.example'],
    });
  });

  it.each([
    [{ 'kehu:stage': 'Prod!' }, 'kehu:stage'],
    [{ 'kehu:region': 'mars-1' }, 'kehu:region'],
    [{ 'kehu:account': '12' }, 'kehu:account'],
    [{ 'kehu:alarmEmail': 'not-mail' }, 'kehu:alarmEmail'],
    [{ 'kehu:corsOrigins': 'http://evil.example' }, 'kehu:corsOrigins'],
    [{ 'kehu:backupRetentionDays': 'forever' }, 'kehu:backupRetentionDays'],
    [{ 'kehu:keyBackupRetentionDays': 90 }, 'kehu:keyBackupRetentionDays'],
    [{ 'kehu:removalPolicy': 'sometimes' }, 'kehu:removalPolicy'],
    [{ 'kehu:unknown': 1, 'kehu:stage': 'x_y' }, 'kehu:stage'],
    [{ 'kehu:reservedConcurrency': 'customres=20' }, 'the functions are platform, customers'],
    [{ 'kehu:reservedConcurrency': 'customers=0' }, 'kehu:reservedConcurrency (or KEHU_RESERVED_CONCURRENCY) (customers)'],
    [{ 'kehu:reservedConcurrency': 'customers' }, 'kehu:reservedConcurrency'],
    [{ 'kehu:reservedConcurrency': { jobs: 2 } }, 'jobs consumes a queue and needs at least 5'],
    [{ 'kehu:reservedConcurrency': 'customers=800,requests=101' }, 'the account must keep 100 of its 1000 unreserved'],
    [{ 'kehu:reservedConcurrency': 'customers=500', 'kehu:accountConcurrency': 550 }, 'more than 450'],
    [{ 'kehu:accountConcurrency': 'lots' }, 'kehu:accountConcurrency'],
    [{ 'kehu:indexShards': 'custmers=64' }, 'the families are all, customers'],
    [{ 'kehu:indexShards': 'customers=2048' }, 'kehu:indexShards (or KEHU_INDEX_SHARDS) (customers)'],
    [{ 'kehu:auditChains': '0' }, 'kehu:auditChains'],
    [{ 'kehu:indexShards': 'all=4' }, 'erasures needs at least 8 shards'],
  ])('fails synth clearly for %j', (context, name) => {
    expect(() => read(context)).toThrow(DeploymentConfigError);
    expect(() => read(context)).toThrow(name);
  });

  it('reads reserved concurrency per function from context (pairs or an object) or the environment', () => {
    expect(read({ 'kehu:reservedConcurrency': 'customers=20, erasure=5' }).reservedConcurrency).toEqual({ customers: 20, erasure: 5 });
    expect(read({ 'kehu:reservedConcurrency': '{"audit":3}' }).reservedConcurrency).toEqual({ audit: 3 });
    expect(read({ 'kehu:reservedConcurrency': { self: 10 } }, { KEHU_RESERVED_CONCURRENCY: 'audit=3' }).reservedConcurrency).toEqual({ self: 10 });
    expect(read({}, { KEHU_RESERVED_CONCURRENCY: 'requests=300', KEHU_ACCOUNT_CONCURRENCY: '400' })).toMatchObject({
      reservedConcurrency: { requests: 300 },
      accountConcurrency: 400,
    });
  });
});

describe('scale settings', () => {
  it('reads shard counts per family and the audit chains, from context or the environment', () => {
    const read = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => readDeploymentConfig((k) => context[k], env);
    expect(read({})).toMatchObject({ indexShards: {}, auditChains: 64 });
    expect(read({ 'kehu:indexShards': 'all=32, customers=1024', 'kehu:auditChains': '8192' })).toMatchObject({ indexShards: { all: 32, customers: 1024 }, auditChains: 8192 });
    expect(read({}, { KEHU_INDEX_SHARDS: 'auditActors=64' }).indexShards).toEqual({ auditActors: 64 });
  });

  it('gives every function the same counts, since one writes the keys another lists', () => {
    const { stacks } = buildTestApp({ ...unbundled, 'kehu:indexShards': 'all=32,customers=1024,auditActors=64', 'kehu:auditChains': 8192 });
    const environments = Object.values(stacks).flatMap((stack) =>
      Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment),
    );
    expect(environments).toHaveLength(Object.keys(bundleBudgets).length);
    for (const environment of environments) {
      expect(environment?.Variables).toMatchObject({ INDEX_SHARDS: '32', INDEX_SHARDS_CUSTOMERS: '1024', INDEX_SHARDS_AUDIT_ACTORS: '64', AUDIT_CHAINS: '8192' });
    }
  });
});

describe('npm run synth', () => {
  // The run's one synth (support.ts): bundling twelve functions takes half a minute on an idle machine, more on a busy one.
  it('synthesizes every stack offline with the pinned CLI, both cdk-nag packs included', { timeout: 300_000 }, async () => {
    const synth = await synthesized();
    expect(synth.stackNames.sort()).toEqual(['Kehu-test-Api', 'Kehu-test-Data', 'Kehu-test-Events', 'Kehu-test-Identity', 'Kehu-test-Observability']);
    // The report lists only the plugins that found something (the test below shows both run).
    expect(synth.validationReport.pluginReports, synth.output).toEqual([]);
  });

  it('synthesizes the default configuration too (stage dev, no account), both packs clean', { timeout: 60_000 }, async () => {
    const { App } = await import('aws-cdk-lib');
    const { buildCheckedKehu } = await import('../../infra/app.js');
    // No context but the skipped bundling: what a bare `npm run synth` reads (the run's synth above bundles).
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'kehu-default-')), builtinCloudFormationValidation: false, context: unbundled });
    buildCheckedKehu(app);
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual(['Kehu-dev-Api', 'Kehu-dev-Data', 'Kehu-dev-Events', 'Kehu-dev-Identity', 'Kehu-dev-Observability']);
  });

  it('fails synth when a violation of either pack is added: both are wired into the app', { timeout: 60_000 }, async () => {
    const { App } = await import('aws-cdk-lib');
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const { LogGroup } = await import('aws-cdk-lib/aws-logs');
    const { buildCheckedKehu } = await import('../../infra/app.js');
    // cdk-nag only: CDK's own CloudFormation validation runs in the CLI synth above.
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'kehu-nag-')), builtinCloudFormationValidation: false, context: { ...unbundled, 'kehu:stage': 'nag' } });
    const stacks = buildCheckedKehu(app);
    new Queue(stacks.events, 'Unprotected');
    new LogGroup(stacks.api, 'Unencrypted');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3[\s\S]*NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted|NIST\.800\.53\.R5-CloudWatchLogGroupEncrypted[\s\S]*AwsSolutions-SQS3/);
  });
});
