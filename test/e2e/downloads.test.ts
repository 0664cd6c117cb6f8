import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineRoutes, type HttpHandler } from '../../functions/http/index.js';
import { createLocalApi } from '../../local/server.js';
import type { Download } from '../../shared/platform/ports/index.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/**
 * Whole documents larger than a Lambda answer holds (6 MB) are offered as downloads: 303 to
 * a short-lived signed link (S3 in AWS, the data folder locally). A tiny limit stands in for
 * a customer with a long history.
 */
let api: TestApi;
let dpo: string;
let body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a request body

beforeAll(async () => {
  api = await startTestApi({ config: { responseInlineMaxBytes: 1_000 } });
  dpo = await api.token('dpo');
  const agent = await api.token('agent');
  body = newCustomer();
  const customer = (await api.call('POST', '/v1/customers', { token: agent, body })).body;
  await api.call('POST', `/v1/customers/${customer.id}/interactions`, {
    token: agent,
    body: { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: 'Asked for a copy of everything' },
  });
  const request = (await api.call('POST', '/v1/requests', { token: agent, body: { customerId: customer.id, type: 'access', jurisdiction: 'GDPR', channel: 'email' } })).body;
  await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
  await api.call('POST', `/v1/requests/${request.id}/transitions`, { token: dpo, body: { action: 'approve' } });
  body.requestId = request.id;
});
afterAll(() => api?.close());

const exportPath = () => `/v1/requests/${body.requestId}/export`;

describe('large documents', () => {
  it('are answered 303 with a signed link that serves the whole document', async () => {
    const answer = await fetch(`${api.url}${exportPath()}`, { headers: { authorization: `Bearer ${dpo}` }, redirect: 'manual' });
    expect(answer.status).toBe(303);
    const offered = (await answer.json()) as Download;
    expect(answer.headers.get('location')).toBe(offered.url);
    expect(offered.bytes).toBeGreaterThan(1_000);
    expect(Date.parse(offered.expiresAt)).toBeGreaterThan(Date.now());

    // The link needs no token (as a presigned URL), and holds the very document.
    const download = await fetch(new URL(offered.url, api.url));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const document = (await download.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the export
    expect(Buffer.byteLength(JSON.stringify(document))).toBe(offered.bytes);
    expect(document.customer).toMatchObject({ name: body.name, emails: body.emails });
    expect(document.interactions[0]).toMatchObject({ summary: 'Asked for a copy of everything' });

    // An HTTP client following redirects gets the document in one call.
    const followed = await api.call('GET', exportPath(), { token: dpo });
    expect(followed.status).toBe(200);
    expect(followed.body.customer.name).toBe(body.name);
  });

  it('refuses an altered link, and keeps nothing readable in the data folder', async () => {
    const offered = (await (await fetch(`${api.url}${exportPath()}`, { headers: { authorization: `Bearer ${dpo}` }, redirect: 'manual' })).json()) as Download;
    const altered = new URL(offered.url, api.url);
    altered.searchParams.set('expires', String(Number(altered.searchParams.get('expires')) + 3600));
    expect((await fetch(altered)).status).toBe(403);
    const folder = join(api.dataDir, 'downloads');
    const files = readdirSync(folder);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const raw = readFileSync(join(folder, file)).toString('latin1');
      expect(raw).not.toContain(body.name);
      expect(raw).not.toContain(body.emails[0]);
    }
  });

  it('are documented as 303 on exactly the routes that answer whole documents', async () => {
    const { paths } = (await api.call('GET', '/v1/openapi.json')).body;
    const offering = Object.entries(paths as Record<string, Record<string, { responses: Record<string, unknown> }>>)
      .flatMap(([path, operations]) => Object.entries(operations).filter(([, op]) => '303' in op.responses).map(([method]) => `${method} ${path}`))
      .sort();
    expect(offering).toEqual(['get /v1/requests/{id}/export', 'get /v1/self/export', 'post /v1/exports/analysis']);
  });
});

describe('the local API Gateway', () => {
  it('answers 500 when a function answers more than Lambda allows (6 MB), as API Gateway does', async () => {
    const routes = defineRoutes({ big: { method: 'GET', path: '/big', context: 'big', operationId: 'getBig', summary: 'big', description: 'A large answer', roles: 'public', responses: { 200: { description: 'big' } } } });
    const big: HttpHandler = async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    const small: HttpHandler = async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 - 100) });
    for (const [handler, status] of [[big, 500], [small, 200]] as const) {
      const server = createLocalApi({ routes: Object.values(routes), handlers: { big: handler }, tokenSecret: new Uint8Array(32), corsOrigins: [] });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        expect((await fetch(`http://127.0.0.1:${port}/big`)).status).toBe(status);
      } finally {
        server.close();
      }
    }
  });
});
