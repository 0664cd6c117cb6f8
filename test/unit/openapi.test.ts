import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/platform/document.js';
import { routeTable } from '../../functions/routes.js';

type Operation = { operationId: string; tags: string[]; description: string; requestBody?: unknown; security: unknown[]; responses: Record<string, { $ref?: string; content?: Record<string, unknown>; headers?: Record<string, { required?: boolean }> }> };
const document = openApiDocument() as { paths: Record<string, Record<string, Operation>>; servers: unknown[]; info: { description: string; contact: unknown } };
const operations = Object.entries(document.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));
const operation = (key: string) => operations.find((o) => o.key === key)!.op;

describe('the OpenAPI document', () => {
  it('names every operation with a unique lowerCamelCase id that code generators accept', () => {
    const ids = routeTable.map((r) => r.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    expect(operation('GET /v1/health').operationId).toBe('getHealth');
  });

  it('tags each operation by its context and describes it, with the roles that may call it', () => {
    for (const { key, op } of operations) {
      const route = routeTable.find((r) => `${r.method} ${r.path}` === key)!;
      expect(op.tags, key).toEqual([route.context]);
      expect(op.description, key).toContain(route.description);
      if (Array.isArray(route.roles)) expect(op.description, key).toContain(`\`${route.roles[0]}\``);
    }
  });

  it('declares the common problems on every operation, as shared responses', () => {
    for (const { key, op } of operations) {
      const route = routeTable.find((r) => `${r.method} ${r.path}` === key)!;
      const expected = { 400: 'BadRequest', 429: 'TooManyRequests', 500: 'InternalError', 503: 'Unavailable' } as Record<number, string>;
      if (route.roles !== 'public') expected[401] = 'Unauthorized';
      if (Array.isArray(route.roles)) expected[403] = 'Forbidden';
      if (route.body) Object.assign(expected, { 413: 'PayloadTooLarge', 415: 'UnsupportedMediaType' });
      for (const [status, name] of Object.entries(expected)) expect(op.responses[status]?.$ref, `${key} ${status}`).toBe(`#/components/responses/${name}`);
      if (!route.body) expect(op.responses['415'], key).toBeUndefined();
    }
  });

  it('declares the headers answers carry, and content for the document itself', () => {
    expect(operation('POST /v1/customers').responses['201']!.headers).toMatchObject({ ETag: { required: true }, Location: { required: true }, 'Idempotent-Replayed': {} });
    expect(operation('GET /v1/customers/{id}').responses['200']!.headers).toMatchObject({ ETag: { required: true } });
    expect(operation('POST /v1/exports/analysis').responses['303']!.headers).toMatchObject({ Location: { required: true } });
    expect(operation('GET /v1/openapi.json').responses['200']!.content).toHaveProperty('application/json');
    expect(operation('GET /docs').responses['200']!.content).toHaveProperty('text/html');
  });

  it('declares the 404 a customer token answers once its record is erased', () => {
    for (const key of ['GET /v1/self/data', 'GET /v1/self/export', 'POST /v1/self/consents', 'POST /v1/self/requests']) {
      expect(operation(key).responses['404'], key).toBeDefined();
    }
  });

  it('says where the API is and who runs it', () => {
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(document.info.contact).toBeDefined();
    expect(document.info.description).toContain('problem');
  });
});
