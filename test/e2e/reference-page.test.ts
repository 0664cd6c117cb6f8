import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

/** What a browser would load for `/docs`, with the page's relative links resolved as it resolves them. */
describe('the API reference page at /docs', () => {
  it('serves an HTML page without a token, allowing scripts, styles and fetches from this API only', async () => {
    const page = await api.call('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/https?:|\*|'unsafe-eval'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.body).toContain('<redoc spec-url="v1/openapi.json">');
    // Nothing from a CDN: every link in the page is relative.
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.body).not.toMatch(/<script>/);
  });

  it("serves Redoc's script and the document the page links to, from this API", async () => {
    const html = (await api.call('GET', '/docs')).body as string;
    const pageUrl = new URL('/docs', api.url);
    const scriptSrc = /<script src="([^"]+)"/.exec(html)![1]!;
    const specUrl = /spec-url="([^"]+)"/.exec(html)![1]!;

    const scriptPath = new URL(scriptSrc, pageUrl);
    expect(scriptPath.origin).toBe(pageUrl.origin);
    const script = await api.call('GET', scriptPath.pathname);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(typeof script.body).toBe('string');
    expect(script.body.length).toBeGreaterThan(500_000);
    expect(script.body).toContain('Redoc');

    const documentPath = new URL(specUrl, pageUrl);
    expect(documentPath.pathname).toBe('/v1/openapi.json');
    const document = await api.call('GET', documentPath.pathname);
    expect(document.status).toBe(200);
    expect(document.body.paths['/docs'].get.operationId).toBe('getApiReferencePage');
  });
});
