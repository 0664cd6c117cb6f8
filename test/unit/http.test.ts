import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { authorize, groupsOf } from '../../functions/http/auth.js';
import { redactPersonalData } from '../../functions/http/logger.js';
import { problemType, toProblem } from '../../functions/http/problem.js';
import { parse } from '../../functions/http/validation.js';
import type { Role } from '../../shared/platform/access/index.js';
import { SealError } from '../../shared/platform/crypto/index.js';
import {
  ConflictError,
  ForbiddenError,
  type KehuError,
  NotFoundError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UnauthenticatedError,
  UnavailableError,
  UnprocessableError,
  ValidationError,
} from '../../shared/platform/errors/index.js';

/** A minimal HTTP API (v2) event; `claims` undefined means no authorizer context at all. */
function eventWith(claims?: Record<string, string | string[]>): APIGatewayProxyEventV2 {
  const requestContext = {
    accountId: '111122223333',
    apiId: 'api',
    domainName: 'localhost',
    domainPrefix: 'localhost',
    http: { method: 'GET', path: '/v1/customers', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
    requestId: 'req-1',
    routeKey: 'GET /v1/customers',
    stage: '$default',
    time: '01/Jan/2025:00:00:00 +0000',
    timeEpoch: 0,
    ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
  };
  return {
    version: '2.0',
    routeKey: 'GET /v1/customers',
    rawPath: '/v1/customers',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext,
  } as APIGatewayProxyEventV2;
}

/** A JWT as API Gateway forwards it: only its payload is read (the authorizer verified the signature). */
const bearer = (payload: Record<string, unknown>) =>
  `Bearer ${[{ alg: 'RS256' }, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.')}.c2lnbmF0dXJl`;

/** What API Gateway hands the function for a token with these claims: strings, arrays as `[a b]`. */
const renderedClaims = (payload: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));

/** A staff request as API Gateway passes it on: the verified token's claims, and the token itself. */
function eventForToken(payload: Record<string, unknown>, header = bearer(payload)): APIGatewayProxyEventV2 {
  return { ...eventWith(renderedClaims(payload)), headers: { authorization: header } };
}

describe('groupsOf', () => {
  it('accepts a real array, entry by entry', () => {
    expect(groupsOf({ 'cognito:groups': ['admin', 'agent'] })).toEqual(['admin', 'agent']);
    expect(groupsOf({ 'cognito:groups': ['analyst admin'] })).toEqual(['analyst admin']);
  });

  it('reads the groups from the verified token when there is one', () => {
    const token = { 'cognito:groups': ['analyst admin', 'agent'] };
    expect(groupsOf({ 'cognito:groups': '[analyst admin agent]' }, token)).toEqual(['analyst admin', 'agent']);
  });

  it('accepts the API Gateway string form of a single group', () => {
    expect(groupsOf({ 'cognito:groups': '[dpo]' })).toEqual(['dpo']);
    expect(groupsOf({ 'cognito:groups': 'marketer' })).toEqual(['marketer']);
  });

  it('never splits the string form: a longer list is ambiguous and gives no groups', () => {
    // `[analyst admin]` is both the two groups analyst and admin and the one group "analyst admin".
    expect(groupsOf({ 'cognito:groups': '[analyst admin]' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '[admin agent]' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': 'analyst,admin' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '[analyst\tadmin]' })).toEqual([]);
  });

  it('accepts a JSON array string, entry by entry', () => {
    expect(groupsOf({ 'cognito:groups': '["admin","agent"]' })).toEqual(['admin', 'agent']);
    expect(groupsOf({ 'cognito:groups': '["analyst admin"]' })).toEqual(['analyst admin']);
  });

  it('gives no groups for a missing, empty or non-string claim', () => {
    expect(groupsOf({})).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '[]' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '' })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': 42 })).toEqual([]);
    expect(groupsOf({ 'cognito:groups': '["admin"' })).toEqual([]);
  });
});

describe('authorize', () => {
  const all: Role[] = ['admin', 'dpo', 'agent', 'marketer', 'analyst', 'auditor'];
  const token = (groups: string[]) => ({ sub: 'user-1', iss: 'https://cognito-idp.example', iat: 1_700_000_000, exp: 1_700_003_600, jti: 'j-1', 'cognito:groups': groups });

  it('refuses a request without claims as unauthenticated', () => {
    expect(() => authorize(eventWith(), all)).toThrow(UnauthenticatedError);
  });

  it('refuses claims without a subject as unauthenticated', () => {
    expect(() => authorize(eventWith({ 'cognito:groups': ['admin'] }), all)).toThrow(UnauthenticatedError);
    expect(() => authorize(eventWith({ sub: '', 'cognito:groups': ['admin'] }), all)).toThrow(UnauthenticatedError);
  });

  it('refuses a role the route does not allow', () => {
    const event = eventForToken(token(['marketer', 'analyst']));
    expect(() => authorize(event, ['admin', 'agent'])).toThrow(ForbiddenError);
  });

  it('refuses a caller without any known role', () => {
    expect(() => authorize(eventWith({ sub: 'user-1', 'cognito:groups': '[superuser]' }), all)).toThrow(ForbiddenError);
    expect(() => authorize(eventWith({ sub: 'user-1' }), all)).toThrow(ForbiddenError);
  });

  it('acts in the most privileged allowed role, whatever the order of the groups', () => {
    const event = eventForToken(token(['analyst', 'agent', 'dpo']));
    expect(authorize(event, all)).toEqual({ id: 'user-1', role: 'dpo', requestId: 'req-1' });
    expect(authorize(event, ['agent', 'analyst']).role).toBe('agent');
    expect(authorize(event, ['analyst', 'auditor']).role).toBe('analyst');
  });

  it('ignores unknown groups next to known ones', () => {
    const event = eventWith({ sub: 'user-1', 'cognito:groups': ['root', 'marketer'] });
    expect(authorize(event, all).role).toBe('marketer');
  });

  it('takes roles as exact group names: "analyst admin" is not admin, in any form', () => {
    // As an array entry (in the token API Gateway verified and forwards).
    const spaced = eventForToken(token(['analyst admin']));
    expect(spaced.requestContext).toMatchObject({ authorizer: { jwt: { claims: { 'cognito:groups': '[analyst admin]' } } } });
    expect(() => authorize(spaced, all)).toThrow(ForbiddenError);
    // Beside a real role, only the real role counts.
    expect(authorize(eventForToken(token(['analyst admin', 'agent'])), all).role).toBe('agent');
    // As a real array in the claims.
    expect(() => authorize(eventWith({ sub: 'user-1', 'cognito:groups': ['analyst admin'] }), all)).toThrow(ForbiddenError);
    // Only the bracketed string, without the token: ambiguous, so no role at all.
    expect(() => authorize(eventWith({ sub: 'user-1', 'cognito:groups': '[analyst admin]' }), all)).toThrow(ForbiddenError);
    expect(() => authorize(eventWith({ sub: 'user-1', 'cognito:groups': 'analyst admin' }), all)).toThrow(ForbiddenError);
  });

  it('trusts a forwarded token only if it is the one the authorizer verified', () => {
    const verified = token(['analyst']);
    const other = bearer({ ...verified, 'cognito:groups': ['admin'], jti: 'j-2' });
    // Its claims differ from the verified ones, so its groups are not read; the rendered `[analyst]` is.
    expect(authorize(eventForToken(verified, other), all).role).toBe('analyst');
    expect(authorize(eventForToken(verified, 'Bearer not-a-jwt'), all).role).toBe('analyst');
    expect(authorize(eventForToken(verified, `Bearer a.${Buffer.from('[1]').toString('base64url')}.c`), all).role).toBe('analyst');
  });

  it('never grants the system role from a token', () => {
    expect(() => authorize(eventForToken(token(['system'])), all)).toThrow(ForbiddenError);
    expect(() => authorize(eventWith({ sub: 'user-1', 'cognito:groups': '[system]' }), all)).toThrow(ForbiddenError);
  });
});

describe('toProblem', () => {
  const cases: Array<[KehuError, number, string | undefined]> = [
    [new ValidationError('Invalid body: emails.0.', [{ field: 'emails.0', message: 'must be a valid email address' }]), 400, 'emails.0'],
    [new UnauthenticatedError(), 401, 'Authorization'],
    [new ForbiddenError('No.', 'purpose'), 403, 'purpose'],
    [new NotFoundError('No customer has this id.', 'id'), 404, 'id'],
    [new ConflictError('Duplicate.', 'phones.0'), 409, 'phones.0'],
    [new PreconditionFailedError('Stale.'), 412, 'If-Match'],
    [new PreconditionRequiredError('Send If-Match.'), 428, 'If-Match'],
    [new UnprocessableError('Reused.', 'Idempotency-Key'), 422, 'Idempotency-Key'],
    [new UnavailableError('key-service'), 503, undefined],
  ];

  it.each(cases)('maps %s to its status and field', (error, status, field) => {
    const problem = toProblem(error, 'req-9');
    expect(problem.status).toBe(status);
    expect(problem.type).toBe(problemType(error.kind));
    expect(problem.detail).toBe(error.message);
    expect(problem.instance).toBe('urn:kehu:request:req-9');
    if (field) expect(problem.field).toBe(field);
    else expect(problem).not.toHaveProperty('field');
  });

  it('lists the field issues of a validation error', () => {
    const issues = [
      { field: 'name', message: 'is required' },
      { field: 'tier', message: 'must be lower-case' },
    ];
    expect(toProblem(new ValidationError('Invalid body.', issues)).errors).toEqual(issues);
    expect(toProblem(new ConflictError('x', 'y'))).not.toHaveProperty('errors');
  });

  it('hides the message of an unknown error behind a 500', () => {
    const problem = toProblem(new Error('duplicate key zhang.wei@example.com in table kehu-data'), 'req-2');
    expect(problem.status).toBe(500);
    expect(problem.type).toBe(problemType('internal'));
    expect(problem.detail).not.toContain('zhang.wei');
    expect(problem.detail).not.toContain('duplicate key');
    expect(problem).not.toHaveProperty('field');
    expect(problem.instance).toBe('urn:kehu:request:req-2');
  });

  it('treats thrown non-errors and server-side HTTP errors as internal', () => {
    expect(toProblem('boom').status).toBe(500);
    expect(toProblem(undefined).status).toBe(500);
    const serverError = Object.assign(new Error('upstream said 502 for zhang.wei'), { statusCode: 502 });
    expect(toProblem(serverError).status).toBe(500);
    expect(toProblem(serverError).detail).not.toContain('zhang.wei');
  });

  it('reports an integrity failure as a 500 of its own type', () => {
    const problem = toProblem(new SealError());
    expect(problem.status).toBe(500);
    expect(problem.type).toBe(problemType('integrity'));
  });

  it('maps middy client errors', () => {
    const notFound = Object.assign(new Error('Route does not exist'), { statusCode: 404 });
    expect(toProblem(notFound)).toMatchObject({ status: 404, type: problemType('not-found') });
    const badJson = Object.assign(new Error('Invalid or malformed JSON was provided'), {
      statusCode: 422,
      cause: { package: '@middy/http-json-body-parser' },
    });
    expect(toProblem(badJson)).toMatchObject({ status: 400, field: 'body', type: problemType('malformed-json') });
    const mediaType = Object.assign(new Error('Unsupported Media Type'), {
      statusCode: 415,
      cause: { package: '@middy/http-json-body-parser' },
    });
    expect(toProblem(mediaType)).toMatchObject({ status: 415, field: 'Content-Type' });
  });
});

describe('parse', () => {
  const schema = z.strictObject({ name: z.string(), tier: z.optional(z.string()) });

  it('returns the parsed value', () => {
    expect(parse(schema, { name: 'x', tier: 'vip' }, 'body')).toEqual({ name: 'x', tier: 'vip' });
  });

  it('names an unknown key as a field issue', () => {
    let error: unknown;
    try {
      parse(schema, { name: 'x', nickname: 'Wei' }, 'body');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const { issues, message, field } = error as ValidationError;
    expect(issues).toEqual([{ field: 'nickname', message: 'is not a known field' }]);
    expect(field).toBe('nickname');
    expect(message).toBe('Invalid body: nickname.');
    expect(message).not.toContain('Wei');
  });

  it('names nested paths and does not echo the rejected value', () => {
    const nested = z.strictObject({ personal: z.strictObject({ occupation: z.string() }) });
    try {
      parse(nested, { personal: { occupation: 12345678, hobby: 'golf' } }, 'body');
      expect.unreachable('parse should have thrown');
    } catch (e) {
      const error = e as ValidationError;
      const fields = error.issues.map((i) => i.field).sort();
      expect(fields).toEqual(['personal.hobby', 'personal.occupation']);
      expect(JSON.stringify(error.issues)).not.toContain('12345678');
      expect(JSON.stringify(error.issues)).not.toContain('golf');
    }
  });

  it('uses the location when the whole value is wrong', () => {
    expect(() => parse(schema, 'not an object', 'query')).toThrow(ValidationError);
    try {
      parse(schema, 'not an object', 'path');
      expect.unreachable('parse should have thrown');
    } catch (e) {
      expect((e as ValidationError).field).toBe('path');
      expect((e as ValidationError).message).toBe('Invalid path parameter: path.');
    }
  });
});

describe('redactPersonalData', () => {
  it.each(['emails', 'Name', 'phone', 'EMAIL', 'addresses', 'personal', 'needs', 'body', 'Authorization', 'rawQueryString'])(
    'redacts the value of %s',
    (key) => {
      expect(redactPersonalData(key, 'zhang.wei@example.com')).toBe('[REDACTED]');
      expect(redactPersonalData(key, ['a', 'b'])).toBe('[REDACTED]');
    },
  );

  it('leaves other keys alone', () => {
    const value = { id: 1 };
    expect(redactPersonalData('customerId', 'cus-1')).toBe('cus-1');
    expect(redactPersonalData('tier', 'vip')).toBe('vip');
    expect(redactPersonalData('statusCode', 200)).toBe(200);
    expect(redactPersonalData('detail', value)).toBe(value);
  });

  it('leaves undefined values undefined', () => {
    expect(redactPersonalData('name', undefined)).toBeUndefined();
  });

  it('redacts through JSON.stringify at any depth', () => {
    const text = JSON.stringify({ customer: { id: 'c1', Name: '张伟', phones: ['+8613812345678'] } }, redactPersonalData);
    expect(JSON.parse(text)).toEqual({ customer: { id: 'c1', Name: '[REDACTED]', phones: '[REDACTED]' } });
    expect(text).not.toContain('张伟');
  });
});
