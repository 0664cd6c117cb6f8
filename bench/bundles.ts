import { measureBundles } from '../infra/bundling.js';
import { table, type Section } from './lib/report.js';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** Each function's bundle as the CDK builds it (esbuild metafile), beside its budget. */
export async function bundleSizesBenchmark(): Promise<Section> {
  const sizes = await measureBundles();
  return {
    id: 'function-bundles',
    title: 'Function bundles',
    body: [
      'Minified ESM bundles built with the options the CDK stacks use (`infra/bundling.ts`); sizes from esbuild\'s metafile.',
      'The budgets are enforced by `test/infra/bundles.test.ts`; cold start grows with size.',
      '',
      table(
        ['Function', 'Size', 'Budget', 'Largest parts'],
        sizes.map((s) => [
          s.context,
          kib(s.bytes),
          kib(s.budget),
          s.packages
            .slice(0, 4)
            .map((p) => `${p.name} ${kib(p.bytes)}`)
            .join(', '),
        ]),
        ['l', 'r', 'r', 'l'],
      ),
    ].join('\n'),
  };
}
