import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { DeploymentConfigError, readDeploymentConfig } from '../../infra/config.js';
import { buildTestApp } from './support.js';

function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id, reason })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds no violation left in the whole app', () => {
    const { app } = buildTestApp();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('still catches a violation: the check is live', async () => {
    const { app, stacks } = buildTestApp();
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    new Queue(stacks.events, 'Unprotected');
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('gives every acknowledgement a written reason', () => {
    const { app } = buildTestApp();
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(40);
  });
});

describe('deployment configuration', () => {
  const read = (context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => readDeploymentConfig((k) => context[k], env);

  it('has sensible defaults and reads context before the environment', () => {
    expect(read({})).toMatchObject({ stage: 'dev', region: 'eu-central-1', backupRetentionDays: 35, keyBackupRetentionDays: 7, removalPolicy: 'retain', corsOrigins: [] });
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
  ])('fails synth clearly for %j', (context, name) => {
    expect(() => read(context)).toThrow(DeploymentConfigError);
    expect(() => read(context)).toThrow(name);
  });
});

describe('npm run synth', () => {
  it('synthesizes every stack offline with the pinned CLI, cdk-nag included', { timeout: 120_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'kehu-synth-'));
    const cdk = join(process.cwd(), 'node_modules', '.bin', 'cdk');
    await promisify(execFile)(cdk, ['synth', '--quiet', '--output', out], {
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
    });
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string }> };
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack').map(([name]) => name);
    expect(stacks.sort()).toEqual(['Kehu-dev-Api', 'Kehu-dev-Data', 'Kehu-dev-Events', 'Kehu-dev-Identity', 'Kehu-dev-Observability']);
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ conclusion: string }> };
    for (const plugin of report.pluginReports) expect(plugin.conclusion).toBe('success');
  });

  it('fails synth when a violation is added: the plugin is wired into the app', async () => {
    const { App } = await import('aws-cdk-lib');
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    const { buildCheckedKehu } = await import('../../infra/app.js');
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'kehu-nag-')), context: { 'kehu:stage': 'nag' } });
    const stacks = buildCheckedKehu(app);
    new Queue(stacks.events, 'Unprotected');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});
