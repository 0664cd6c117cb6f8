import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Role } from '../shared/platform/access/index.js';

/**
 * Local stand-in for Cognito and API Gateway's JWT authorizer: tokens signed (HS256) with
 * a secret kept under the data directory, carrying the claims Cognito would.
 */
export const LOCAL_ISSUER = 'kehu-local';
export const LOCAL_AUDIENCE = 'kehu-local';

/**
 * The secret a local server created under its data directory, or undefined if no server
 * has started there: a token is only worth minting with the running server's secret.
 */
export function existingTokenSecret(path: string): Uint8Array | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The server's secret, created (0600) on its first start. */
export function loadTokenSecret(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, randomBytes(32), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readFileSync(path);
}

export async function signToken(
  secret: Uint8Array,
  claims: { sub: string; roles: Role[]; ttlSeconds?: number },
): Promise<string> {
  return new SignJWT({ 'cognito:groups': claims.roles, token_use: 'access' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSeconds ?? 12 * 3600}s`)
    .sign(secret);
}

/** A bearer token checked: its claims, or why the local server refuses it (the 401's detail). */
export type BearerCheck = { claims: Record<string, string> } | { refused: string };

/**
 * Why jose refused a token, said so that a developer can act on it. API Gateway's own 401
 * says less; locally the usual cause is a token minted under another DATA_DIR.
 */
const refusals: Record<string, string> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED:
    "This token was not signed with this server's secret (local-jwt.key under its DATA_DIR): mint it with npm run token and the DATA_DIR the server uses.",
  ERR_JWT_EXPIRED: 'This token has expired: mint a new one with npm run token.',
  ERR_JWT_CLAIM_VALIDATION_FAILED: 'This token was not issued for the local Kehu API (issuer, audience or time): mint one with npm run token.',
};

/**
 * Verifies bearer tokens as the authorizer would and answers the claims in the form API
 * Gateway hands them to Lambda (strings; arrays as `[a b]`), or undefined if invalid.
 * A verified token is remembered until it expires, so a client's repeated calls are not
 * verified again (in AWS this work happens in API Gateway, not in the function).
 */
export class BearerVerifier {
  private readonly verified = new LRUCache<string, Record<string, string>>({ max: 1000, ttlAutopurge: false });

  constructor(private readonly secret: Uint8Array) {}

  async verify(header: string | undefined): Promise<Record<string, string> | undefined> {
    const checked = await this.check(header);
    return 'claims' in checked ? checked.claims : undefined;
  }

  async check(header: string | undefined): Promise<BearerCheck> {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) return { refused: 'A valid bearer token is required.' };
    const known = this.verified.get(token);
    if (known) return { claims: known };
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] });
      const claims = Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
      );
      const ttl = (payload.exp ?? 0) * 1000 - Date.now();
      if (ttl > 0) this.verified.set(token, claims, { ttl });
      return { claims };
    } catch (error) {
      return { refused: refusals[(error as { code?: string }).code ?? ''] ?? 'This is not a valid bearer token.' };
    }
  }
}
