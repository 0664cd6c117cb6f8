import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import { buildKehu, type KehuStacks } from '../../infra/app.js';
import { readDeploymentConfig } from '../../infra/config.js';

/**
 * An app built in this process, for tests that read or change the construct tree (cdk-nag's
 * acknowledgements, a violation added on purpose). No bundling unless asked, and without
 * CDK's built-in CloudFormation validation: the shared synth below has both.
 */
export function buildTestApp(context: Record<string, unknown> = {}): { app: App; stacks: KehuStacks } {
  const app = new App({
    outdir: undefined,
    builtinCloudFormationValidation: false,
    context: { ...testContext, ...context },
  });
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key), {});
  return { app, stacks: buildKehu(app, config) };
}

/**
 * The test stage: a fixed account and region (the CLI would otherwise pass its default
 * region to the app), and every optional resource on (the SMS permission, CORS, the alarm
 * subscription).
 */
export const testContext = { 'kehu:stage': 'test', 'kehu:account': '123456789012', 'kehu:region': 'eu-central-1' };
export const fullContext = {
  ...testContext,
  'kehu:alarmEmail': 'ops@example.com',
  'kehu:corsOrigins': 'https://console.example.com',
  'kehu:notifyFromAddress': 'no-reply@example.com',
};

export interface Synthesized {
  /** The cloud assembly: templates, manifest, the functions' bundled assets. */
  outdir: string;
  /** What the CLI printed, for failure messages. */
  output: string;
  manifest: { artifacts: Record<string, { type: string }> };
  /** cdk-nag's findings, as the CLI's synth reports them (only plugins that found something). */
  validationReport: { pluginReports: unknown[] };
  stackNames: string[];
  templates: Record<string, Template>;
  /** Each stack's template as written, for what `Template` does not expose (resource metadata). */
  json: Record<string, { Resources: Record<string, { Type: string; Properties?: any; Metadata?: Record<string, unknown> }> }>;
}

interface Status {
  code: number | null;
  output: string;
}

/**
 * The app as deployed, synthesized once per test run and shared by every file that asks:
 * the pinned CLI's `cdk synth` (what `npm run synth` runs) with the test stage's context,
 * so the functions are bundled, CDK's CloudFormation validation runs, and a violation of
 * either cdk-nag pack fails it. The first caller in the run starts it; the others wait
 * for its status file in the run's directory (test/support/global-setup.ts).
 */
export async function synthesized(): Promise<Synthesized> {
  const root = inject('synthDir');
  const outdir = join(root, 'cdk.out');
  const statusFile = join(root, 'status.json');
  let starter = false;
  try {
    mkdirSync(join(root, 'started'));
    starter = true;
  } catch {
    // Another file of this run started it.
  }
  if (starter) {
    const status = await runSynth(outdir, join(root, 'pid'));
    // Written whole, then renamed: a file waiting never reads half of it.
    writeFileSync(`${statusFile}.partial`, JSON.stringify(status));
    renameSync(`${statusFile}.partial`, statusFile);
  }
  while (!existsSync(statusFile)) await sleep(200);
  const status = JSON.parse(readFileSync(statusFile, 'utf8')) as Status;
  if (status.code !== 0) throw new Error(`cdk synth failed (exit ${status.code}):\n${status.output}`);

  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as Synthesized['manifest'];
  const stackNames = Object.entries(manifest.artifacts)
    .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
    .map(([name]) => name);
  const json = Object.fromEntries(stackNames.map((name) => [name, JSON.parse(readFileSync(join(outdir, `${name}.template.json`), 'utf8'))]));
  return {
    outdir,
    output: status.output,
    manifest,
    validationReport: JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Synthesized['validationReport'],
    stackNames,
    templates: Object.fromEntries(stackNames.map((name) => [name, Template.fromJSON(json[name])])),
    json,
  };
}

/** `cdk synth` offline with the pinned CLI, as `npm run synth` runs it; never throws, reports. */
function runSynth(outdir: string, pidFile: string): Promise<Status> {
  const context = Object.entries(fullContext).flatMap(([key, value]) => ['--context', `${key}=${value}`]);
  // The deployment settings come from the context alone, not from this shell's KEHU_* variables.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('KEHU_')));
  const cdk = join(process.cwd(), 'node_modules', '.bin', 'cdk');
  return new Promise((resolve) => {
    const child = spawn(cdk, ['synth', '--quiet', '--output', outdir, ...context], {
      env: { ...env, CDK_DISABLE_VERSION_CHECK: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group (the CLI runs the app in a child of its own), so that the
      // run's teardown can end both if this file is cancelled before the synth ends.
      detached: true,
    });
    if (child.pid) writeFileSync(pidFile, String(child.pid));
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) => resolve({ code: -1, output: `${output}\n${String(error)}` }));
    child.once('close', (code) => resolve({ code, output }));
  });
}

