import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { measureBundles } from '../infra/bundling.js';
import { fixed, table, type Section } from './lib/report.js';

const run = promisify(execFile);
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Fresh processes per function; the first of them also warms the file cache, as Lambda's own is warm. */
const DEFAULT_RUNS = 9;

/**
 * What the stacks set for every function (infra/stacks), with placeholder resources: the
 * bundle reads its configuration, loads the X-Ray tracer and builds its SDK clients as in
 * Lambda. Nothing is called at start-up, so nothing needs to exist.
 */
const lambdaEnvironment = (context: string): Record<string, string> => ({
  AWS_LAMBDA_FUNCTION_NAME: `kehu-bench-${context}`,
  // As infra/constructs/function.ts sets it: Node reads the bundle's source map at start-up.
  NODE_OPTIONS: '--enable-source-maps',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: context,
  POWERTOOLS_METRICS_NAMESPACE: 'Kehu',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  TABLE_PREFIX: 'kehu-bench',
  KEY_PROVIDER: 'kms',
  KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000001',
  AUDIT_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000002',
  CORS_ORIGINS: 'https://staff.example.com',
  ...(['consent', 'requests', 'retention', 'jobs'].includes(context) ? { EVENT_BUS_NAME: 'kehu-bench' } : {}),
  ...(['exports', 'requests', 'self'].includes(context) ? { DOWNLOADS_BUCKET: 'kehu-bench-downloads' } : {}),
  ...(context === 'self' ? { NOTIFY_FROM_ADDRESS: 'no-reply@example.com' } : {}),
  ...(['audit', 'jobs'].includes(context) ? { AUDIT_CHECKPOINT_BUCKET: 'kehu-bench-audit-checkpoints' } : {}),
});

/** Imports `url` in a new Node process and answers how long the import took, in milliseconds. */
async function importTime(url: string, env: Record<string, string>): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(url)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH ?? '', ...env } });
  return Number(stdout);
}

interface Timing {
  median: number;
  max: number;
}

async function timings(runs: number, url: string, env: Record<string, string>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) ms.push(await importTime(url, env));
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)]!, max: ms[ms.length - 1]! };
}

/**
 * Each function's bundle as the CDK builds it (esbuild metafile), beside its budget, and
 * its initialisation: the import of the built bundle in a fresh Node process, which reads
 * the configuration and builds the function's container and handler (its top level), as a
 * Lambda cold start does before the first event. A bare import of the DynamoDB client
 * package, in fresh processes of the same run, is the yardstick.
 */
export async function bundleSizesBenchmark(runs = DEFAULT_RUNS): Promise<Section> {
  const outdir = mkdtempSync(join(tmpdir(), 'kehu-bundles-'));
  try {
    const sizes = await measureBundles(undefined, outdir);
    const init = new Map<string, Timing>();
    for (const size of sizes) init.set(size.context, await timings(runs, pathToFileURL(join(outdir, `${size.context}.mjs`)).href, lambdaEnvironment(size.context)));
    const dynamodb = await timings(runs, import.meta.resolve('@aws-sdk/client-dynamodb'), { AWS_REGION: 'eu-west-1' });
    const ms = (t: Timing) => [`${fixed(t.median, 0)} ms`, `${fixed(t.max, 0)} ms`];
    return {
      id: 'function-bundles',
      title: 'Function bundles and initialisation',
      body: [
        'Minified ESM bundles built with the options the CDK stacks use (`infra/bundling.ts`); sizes from esbuild\'s metafile.',
        'The budgets are enforced by `test/infra/bundles.test.ts`; cold start grows with size.',
        `Initialisation: the built bundle imported in a fresh Node ${process.version} process with the environment the stacks give it`,
        `(its configuration read, the X-Ray tracer loaded, its container and handler built), ${runs} processes per function, median and max;`,
        'Lambda runs Node 24 on arm64, so its absolute times differ, not the order. The last row imports the `@aws-sdk/client-dynamodb`',
        'package alone (unbundled, as installed) in fresh processes of the same run.',
        '',
        table(
          ['Function', 'Size', 'Budget', 'Source map', 'Init median', 'Init max', 'Largest parts'],
          [
            ...sizes.map((s) => [
              s.context,
              kib(s.bytes),
              kib(s.budget),
              kib(s.mapBytes),
              ...ms(init.get(s.context)!),
              s.packages
                .slice(0, 4)
                .map((p) => `${p.name} ${kib(p.bytes)}`)
                .join(', '),
            ]),
            ['`import @aws-sdk/client-dynamodb`', '', '', '', ...ms(dynamodb), 'the package as installed, not bundled'],
          ],
          ['l', 'r', 'r', 'r', 'r', 'r', 'l'],
        ),
      ].join('\n'),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
