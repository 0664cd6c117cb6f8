import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRole, roles as allRoles, type Actor, type Role } from '../../shared/access/index.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors/index.js';

type Claims = Record<string, string | number | boolean | string[]>;

/** The claims API Gateway's JWT authorizer passed on, if any. */
const claimsOf = (event: APIGatewayProxyEventV2): Claims | undefined =>
  (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;

/**
 * Cognito puts groups in `cognito:groups`; API Gateway hands array claims to Lambda as a
 * string like `[admin agent]`. Accept that, a JSON array, or a real array.
 */
export function groupsOf(claims: Claims): string[] {
  const raw = claims['cognito:groups'];
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      return (JSON.parse(text) as unknown[]).map(String);
    } catch {
      return [];
    }
  }
  return text.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

/**
 * The actor of a staff request: 401 without verified claims, 403 when none of the
 * caller's roles may use the route. The actor acts in its most privileged allowed role.
 */
export function authorize(event: APIGatewayProxyEventV2, allowed: readonly Role[]): Actor {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || !sub) throw new UnauthenticatedError();
  const held = new Set(groupsOf(claims).filter(isRole));
  const role = allRoles.find((r) => held.has(r) && allowed.includes(r));
  if (!role) throw new ForbiddenError('Your role may not use this route.', 'role');
  return { id: sub, role, requestId: event.requestContext.requestId };
}
