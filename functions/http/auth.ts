import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isRole, roles as allRoles, type Actor, type Role } from '../../shared/platform/access/index.js';
import { ForbiddenError, UnauthenticatedError } from '../../shared/platform/errors/index.js';

type Claim = string | number | boolean | string[];
type Claims = Record<string, Claim>;

const GROUPS_CLAIM = 'cognito:groups';

/** The claims API Gateway's JWT authorizer passed on, if any. */
const claimsOf = (event: APIGatewayProxyEventV2): Claims | undefined =>
  (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;

/** Decoded token payloads by the header that carried them: a client sends the same token for hours. */
const decodedPayloads = new Map<string, Record<string, unknown> | null>();
const DECODED_PAYLOADS_MAX = 1000;

/** The payload of a bearer token, decoded once per distinct header (null when it is not one). */
function decodedPayload(header: string): Record<string, unknown> | null {
  const known = decodedPayloads.get(header);
  if (known !== undefined) return known;
  let decoded: Record<string, unknown> | null = null;
  const token = /^(?:Bearer\s+)?([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(header.trim());
  if (token) {
    try {
      const payload: unknown = JSON.parse(Buffer.from(token[2]!, 'base64url').toString('utf8'));
      if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) decoded = Object.freeze(payload as Record<string, unknown>);
    } catch {
      decoded = null;
    }
  }
  // Bounded: the oldest header goes first.
  if (decodedPayloads.size >= DECODED_PAYLOADS_MAX) decodedPayloads.delete(decodedPayloads.keys().next().value!);
  decodedPayloads.set(header, decoded);
  return decoded;
}

/**
 * The payload of the bearer token in the request, if it is the very token the authorizer
 * verified. API Gateway forwards the Authorization header it checked; its payload is
 * trusted only when its subject, times and id equal the verified claims (compared on
 * every request; only the decoding is remembered).
 */
function verifiedPayload(event: APIGatewayProxyEventV2, claims: Claims): Record<string, unknown> | undefined {
  const header = event.headers?.authorization;
  const decoded = header ? decodedPayload(header) : null;
  if (!decoded) return undefined;
  const same = (name: string) => (claims[name] === undefined ? decoded[name] === undefined : String(decoded[name]) === String(claims[name]));
  return ['sub', 'iat', 'exp', 'jti', 'origin_jti', 'iss'].every(same) ? decoded : undefined;
}

/**
 * The caller's groups, each exactly as Cognito named it. A real array (in the token the
 * authorizer verified, or handed over as one) is taken entry by entry. API Gateway's HTTP
 * API renders an array claim as one string, `[admin agent]`: entries joined by spaces,
 * so a group named `analyst admin` reads the same as the two groups `analyst` and
 * `admin`. That form is used only when it holds a single entry; anything longer is
 * ambiguous and yields no groups, so a name with a space can never become two roles.
 */
export function groupsOf(claims: Claims, token?: Record<string, unknown>): string[] {
  const fromToken = token?.[GROUPS_CLAIM];
  if (Array.isArray(fromToken)) return fromToken.filter((g): g is string => typeof g === 'string');
  const raw = claims[GROUPS_CLAIM];
  if (Array.isArray(raw)) return raw.filter((g): g is string => typeof g === 'string');
  if (typeof raw !== 'string') return [];
  const text = raw.trim();
  if (text.startsWith('["')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return Array.isArray(parsed) ? parsed.filter((g): g is string => typeof g === 'string') : [];
    } catch {
      return [];
    }
  }
  const inner = /^\[(.*)\]$/s.exec(text)?.[1] ?? text;
  // One entry, or an ambiguous list: a single name never contains a separator.
  return inner !== '' && !/[\s,[\]]/.test(inner) ? [inner] : [];
}

/**
 * The actor of a staff request: 401 without verified claims, 403 when none of the
 * caller's roles may use the route. Roles are exact group names: `system` and any other
 * name grant nothing. The actor acts in its most privileged allowed role.
 */
export function authorize(event: APIGatewayProxyEventV2, allowed: readonly Role[]): Actor {
  const claims = claimsOf(event);
  const sub = claims?.sub;
  if (!claims || typeof sub !== 'string' || !sub) throw new UnauthenticatedError();
  const held = new Set(groupsOf(claims, verifiedPayload(event, claims)).filter(isRole));
  const role = allRoles.find((r) => held.has(r) && allowed.includes(r));
  if (!role) throw new ForbiddenError('Your role may not use this route.', 'role');
  return { id: sub, role, requestId: event.requestContext.requestId };
}
