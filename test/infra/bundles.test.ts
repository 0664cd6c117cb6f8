import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assetBudgets, bundleAssets, bundleBudgets, measureBundles } from '../../infra/bundling.js';
import { routeTable } from '../../functions/routes.js';

/** Cold start grows with bundle size: every function stays within its budget. */
describe('function bundles', () => {
  it('has a budget for every context that serves a route', () => {
    for (const route of routeTable) expect(bundleBudgets[route.context], route.context).toBeGreaterThan(0);
  });

  it('copies the files a function serves beside its bundle, within their budget', () => {
    expect(Object.keys(bundleAssets)).toEqual(Object.keys(assetBudgets));
    for (const [context, files] of Object.entries(bundleAssets)) {
      const bytes = files.reduce((sum, file) => sum + statSync(fileURLToPath(new URL(`../../${file}`, import.meta.url))).size, 0);
      expect(bytes, `${context}: ${bytes} bytes`).toBeLessThanOrEqual(assetBudgets[context]!);
    }
  });

  it('stays within budget, without full zod or unused SDK clients', { timeout: 60_000 }, async () => {
    const sizes = await measureBundles();
    expect(sizes.map((s) => s.context).sort()).toEqual(Object.keys(bundleBudgets).sort());
    for (const size of sizes) {
      expect(size.bytes, `${size.context}: ${size.bytes} bytes`).toBeLessThanOrEqual(size.budget);
      const zod = size.packages.find((p) => p.name === 'zod');
      expect(zod?.bytes ?? 0, `${size.context} zod`).toBeLessThan(100 * 1024);
    }
    const platform = sizes.find((s) => s.context === 'platform')!;
    const names = platform.packages.map((p) => p.name);
    expect(names).toContain('zod');
    expect(names).not.toContain('@aws-sdk/client-dynamodb');
    expect(names).not.toContain('@aws-sdk/client-kms');
  });
});
