import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/platform/document.js';
import { createAnswerValidator, type ReceivedAnswer } from '../support/openapi-validator.js';

const check = createAnswerValidator(openApiDocument());
const json = (body: unknown, type = 'application/json', extra: Record<string, string> = {}) => ({
  headers: new Headers({ 'content-type': type, ...extra }),
  text: JSON.stringify(body),
});
const answer = (method: string, path: string, status: number, rest: Pick<ReceivedAnswer, 'headers' | 'text'>): ReceivedAnswer => ({ method, path, status, ...rest });
const problem = (status: number) => ({ type: 'urn:kehu:problem:x', title: 'X', status, detail: 'x' });
const customerPath = '/v1/customers/6f1c2d1e-8a57-4f4c-9d1a-2b3c4d5e6f70';

/** The e2e helper runs every answer through this check; here each kind of breach is shown to fail it. */
describe('the answer validator compiled from the OpenAPI document', () => {
  it('accepts answers the document declares', () => {
    expect(check(answer('GET', '/v1/health', 200, json({ status: 'ok', version: '0.1.0' })))).toEqual([]);
    expect(check(answer('POST', '/v1/customers', 415, json(problem(415), 'application/problem+json')))).toEqual([]);
    expect(check(answer('GET', '/v1/customers', 429, json({ message: 'Too Many Requests' })))).toEqual([]);
    expect(check(answer('GET', '/docs', 200, { headers: new Headers({ 'content-type': 'text/html; charset=utf-8' }), text: '<!doctype html>' }))).toEqual([]);
  });

  it('fails a status the operation does not declare', () => {
    expect(check(answer('GET', '/v1/health', 201, json({ status: 'ok', version: '0.1.0' })))).toEqual([
      expect.stringContaining('GET /v1/health answered 201, which the document does not declare'),
    ]);
    expect(check(answer('GET', '/v1/health', 404, json(problem(404), 'application/problem+json')))[0]).toContain('does not declare');
  });

  it('fails a body that does not match the schema', () => {
    expect(check(answer('GET', '/v1/health', 200, json({ status: 'down', version: '0.1.0' })))[0]).toContain('does not match the document');
    expect(check(answer('POST', '/v1/customers', 400, json({ title: 'no type' }, 'application/problem+json')))[0]).toContain('does not match');
  });

  it('fails a media type the answer does not declare, and a body where none is declared', () => {
    expect(check(answer('GET', '/v1/health', 500, { headers: new Headers({ 'content-type': 'text/plain' }), text: 'oops' }))[0]).toContain('as "text/plain"');
    expect(check(answer('POST', '/v1/customers', 413, json(problem(413), 'application/problem+json')))[0]).toContain('application/problem+json');
  });

  it('fails an answer without a header the document requires', () => {
    const record = json({}, 'application/json');
    expect(check(answer('GET', customerPath, 200, record))).toContain(`GET /v1/customers/{id} answered 200 without its required ETag header`);
  });

  it('leaves paths no operation serves to API Gateway', () => {
    expect(check(answer('GET', '/v2/nothing', 404, json(problem(404), 'application/problem+json')))).toEqual([]);
  });
});
