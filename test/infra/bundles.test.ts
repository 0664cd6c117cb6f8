import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetBudgets, bundleAssets, bundleBudgets, measureBundles, type BundleSize } from '../../infra/bundling.js';
import { routeTable } from '../../functions/routes.js';
import { synthesized } from './support.js';

/** Cold start grows with bundle size: every function stays within its budget. */
describe('function bundles', () => {
  let sizes: BundleSize[];
  beforeAll(async () => {
    sizes = await measureBundles();
  }, 120_000);

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

  it('stays within budget, without full zod or unused SDK clients', () => {
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

  it('carries in each function only the clients and libraries its services use', () => {
    const carrying = (name: string) => sizes.filter((s) => s.packages.some((p) => p.name === name)).map((s) => s.context).sort();
    // Lambda's credentials come from the environment: none of the SDK's other providers nor their STS and SSO clients.
    for (const chain of ['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-sso', '@aws-sdk/credential-provider-ini', '@aws-sdk/nested-clients']) {
      expect(carrying(chain), chain).toEqual([]);
    }
    // Consent decisions publish, and the complaint service its escalations (from the jobs function; the complaint-escalations
    // and risk-flags functions build that service but never publish, and have no bus), survey dispatches their pages and
    // invitations (surveys, survey-dispatch, and complaints for a closing's invitation); exports and sharing only
    // read consent, audit verification only looks up certificates, and customers, interactions, reports and platform
    // publish nothing.
    // Incidents publish their scope and notification pages, the detector a draft's scope run and its findings.
    expect(carrying('@aws-sdk/client-eventbridge')).toEqual(['audit-stream', 'complaint-escalations', 'complaints', 'consent', 'erasure', 'incident-work', 'incidents', 'jobs', 'requests', 'retention', 'risk-flags', 'self', 'survey-dispatch', 'surveys']);
    expect(carrying('@aws-sdk/client-s3')).toEqual(['audit', 'exports', 'jobs', 'requests', 'self']);
    // One-time codes, complaint notices to customers and their retries (and those of complaints opened from a risk flag),
    // escalation mails to staff, survey invitations; surveys builds the self-service (which holds a notifier) to verify
    // customer tokens, and sends nothing; breach notices go from incident-work, and the incident services elsewhere hold the
    // notifier of their notification service without sending (those functions have no permission to).
    expect(carrying('@aws-sdk/client-sesv2')).toEqual(['audit-stream', 'complaint-escalations', 'complaints', 'incident-work', 'incidents', 'jobs', 'risk-flags', 'self', 'survey-dispatch', 'surveys']);
    // Findings are read only: no bus, no notifier.
    expect(carrying('@aws-sdk/client-eventbridge')).not.toContain('security');
    // Reports hold counts and improvement actions only: no customer contact to parse.
    expect(carrying('libphonenumber-js')).not.toContain('reports');
    // Customer tokens are verified where customers are served: self-service, and their own surveys.
    expect(carrying('jose')).toEqual(['self', 'surveys']);
    expect(carrying('lru-cache')).toEqual([]);
    // Phone numbers are parsed where customer contacts are read or written, and described in the OpenAPI document.
    expect(carrying('libphonenumber-js')).not.toContain('interactions');
    expect(carrying('libphonenumber-js')).not.toContain('consent');
    expect(carrying('libphonenumber-js')).not.toContain('audit');
    expect(carrying('libphonenumber-js')).toContain('customers');
  });

  it('deploys what it measures: bundles the CDK built within budget, their maps without sources or the credential chain', { timeout: 600_000 }, async () => {
    const { outdir, json } = await synthesized();
    const functions = Object.values(json)
      .flatMap((template) => Object.values(template.Resources))
      .filter((resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Properties?.FunctionName ?? '').startsWith('kehu-test-'));
    expect(functions.map((fn) => String(fn.Properties.FunctionName).replace('kehu-test-', '')).sort()).toEqual(Object.keys(bundleBudgets).sort());
    for (const fn of functions) {
      const context = String(fn.Properties.FunctionName).replace('kehu-test-', '');
      const assetDir = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(statSync(join(assetDir, 'index.mjs')).size, context).toBeLessThanOrEqual(bundleBudgets[context]!);
      const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sourcesContent, context).toBeUndefined();
      expect(map.sources.filter((source) => /credential-provider-(node|sso|ini)|nested-clients/.test(source)), context).toEqual([]);
      const signsRequests = map.sources.some((source) => source.includes('@aws-sdk/core/'));
      expect(map.sources.some((source) => source.endsWith('infra/lambda/credentials.ts')), context).toBe(signsRequests);
    }
  });
});
