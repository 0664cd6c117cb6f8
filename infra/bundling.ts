import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * esbuild options shared by the CDK functions and the bundle-size check, so the size
 * measured is the size deployed.
 */
export function bundleOptions(context: string) {
  return {
    entry: `${root}functions/${context}/index.ts`,
    target: 'node24',
    mainFields: ['module', 'main'],
    // Some dependencies still `require` Node built-ins; ESM bundles need a require.
    banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    // Stack traces are mapped (NODE_OPTIONS=--enable-source-maps), which needs the mappings
    // only: Node parses the whole map at start-up, and the sources in it would triple its size
    // and add about 150 ms to every cold start (bench/bundles.ts).
    sourceMap: true,
    sourcesContent: false,
    // Lambda gives functions their credentials in the environment; the SDK's default chain
    // would bundle every other way of finding them (infra/lambda/credentials.ts).
    alias: { '@aws-sdk/credential-provider-node': `${root}infra/lambda/credentials.ts` } as Record<string, string>,
  };
}

/** The same alias as esbuild's command line takes it (NodejsFunction's `esbuildArgs`). */
export const aliasArgs = (alias: Record<string, string>): string[] => Object.entries(alias).map(([from, to]) => `${from}=${to}`);

/**
 * Bundle budgets in bytes of minified output; cold start grows with size (bench/bundles.ts
 * times it). Each function builds only the services its routes call (functions/<context>/
 * index.ts), so it carries only their clients: DynamoDB and KMS everywhere but platform,
 * EventBridge where a service publishes, S3 where answers may go to the downloads bucket
 * or checkpoints to theirs, SES and SNS where customers or staff are notified (self,
 * complaints, jobs, complaint-escalations, risk-flags, survey-dispatch). Phone parsing (libphonenumber's
 * metadata, about 120 KiB) is in the functions that read or write customer contacts, and
 * in platform, whose OpenAPI document holds the customer schemas. The X-Ray tracer (about
 * 120 KiB with its dependencies) is in all of them. The complaint service carries its survey
 * trigger and risk-flag hook wherever it is built (complaints, complaint-escalations, self,
 * jobs, risk-flags). The incident services carry their notification service, which holds
 * the notifier, wherever they are built (incidents, incident-work, audit-stream, jobs); only
 * incident-work sends.
 */
export const bundleBudgets: Readonly<Record<string, number>> = {
  platform: 470 * 1024,
  customers: 640 * 1024,
  jobs: 1075 * 1024,
  audit: 670 * 1024,
  interactions: 500 * 1024,
  consent: 520 * 1024,
  exports: 820 * 1024,
  sharing: 645 * 1024,
  requests: 905 * 1024,
  erasure: 710 * 1024,
  retention: 725 * 1024,
  self: 1065 * 1024,
  complaints: 865 * 1024,
  reports: 520 * 1024,
  'complaint-escalations': 845 * 1024,
  surveys: 900 * 1024,
  'risk-flags': 865 * 1024,
  'survey-dispatch': 800 * 1024,
  incidents: 875 * 1024,
  security: 510 * 1024,
  'incident-work': 810 * 1024,
  'audit-stream': 845 * 1024,
};

/**
 * Files a function reads beside its bundle at run time, relative to the repository: they
 * are served to browsers, never run by the function, so they are copied, not bundled,
 * and cost no cold start. Redoc's script renders the reference page at `/docs`.
 */
export const bundleAssets: Readonly<Record<string, readonly string[]>> = {
  platform: ['node_modules/redoc/bundles/redoc.standalone.js'],
};

/** What those files may add to a function's package, in bytes. */
export const assetBudgets: Readonly<Record<string, number>> = {
  platform: 1300 * 1024,
};

export interface BundleSize {
  context: string;
  bytes: number;
  /** Its source map, which Node reads at start-up too. */
  mapBytes: number;
  budget: number;
  /** Every package in the bundle with its bytes of output, largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

/**
 * Bundles each function as the CDK does and reads the sizes from esbuild's metafile;
 * with `outdir`, also writes each bundle there as `<context>.mjs` (the start-up benchmark runs them).
 */
export async function measureBundles(contexts = Object.keys(bundleBudgets), outdir?: string): Promise<BundleSize[]> {
  const { build } = await import('esbuild');
  // One build per function, all at once: esbuild runs them in parallel.
  return Promise.all(contexts.map(async (context): Promise<BundleSize> => {
    const options = bundleOptions(context);
    const result = await build({
      entryPoints: [options.entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: options.target,
      mainFields: options.mainFields,
      banner: { js: options.banner },
      alias: options.alias,
      sourcemap: options.sourceMap,
      sourcesContent: options.sourcesContent,
      outfile: outdir ? `${outdir}/${context}.mjs` : 'index.mjs',
      write: outdir !== undefined,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    if (!output) throw new Error(`esbuild produced no output for ${context}`);
    const map = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.map'))?.[1];
    const byPackage = new Map<string, number>();
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
    const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
    return { context, bytes: output.bytes, mapBytes: map?.bytes ?? 0, budget: bundleBudgets[context] ?? 0, packages };
  }));
}
