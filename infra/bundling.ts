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
  };
}

/**
 * Bundle budgets in bytes of minified output; cold start grows with size. Every data
 * function carries the whole container today (DynamoDB, KMS and EventBridge clients);
 * only requests, self and exports add S3, and only self adds SES and SNS. Composing a
 * container per context would bring most of them under 800 KiB.
 */
export const bundleBudgets: Readonly<Record<string, number>> = {
  platform: 400 * 1024,
  customers: 1000 * 1024,
  jobs: 1000 * 1024,
  audit: 1000 * 1024,
  interactions: 1000 * 1024,
  consent: 1000 * 1024,
  exports: 1000 * 1024,
  sharing: 1000 * 1024,
  requests: 1000 * 1024,
  erasure: 1000 * 1024,
  retention: 1000 * 1024,
  // S3 for downloads (about 145 KiB) on top of the SES and SNS clients that only self sends codes with.
  self: 1100 * 1024,
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
  budget: number;
  /** Every package in the bundle with its bytes of output, largest first. */
  packages: Array<{ name: string; bytes: number }>;
}

/** Bundles each function as the CDK does and reads the sizes from esbuild's metafile. */
export async function measureBundles(contexts = Object.keys(bundleBudgets)): Promise<BundleSize[]> {
  const { build } = await import('esbuild');
  const sizes: BundleSize[] = [];
  for (const context of contexts) {
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
      outfile: 'index.mjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint);
    if (!output) throw new Error(`esbuild produced no output for ${context}`);
    const byPackage = new Map<string, number>();
    for (const [file, input] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
    }
    const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
    sizes.push({ context, bytes: output.bytes, budget: bundleBudgets[context] ?? 0, packages });
  }
  return sizes;
}
