import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Role } from '../shared/access/index.js';

/**
 * Local stand-in for Cognito and API Gateway's JWT authorizer: tokens signed (HS256) with
 * a secret kept under the data directory, carrying the claims Cognito would.
 */
export const LOCAL_ISSUER = 'kehu-local';
export const LOCAL_AUDIENCE = 'kehu-local';

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
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    if (!token) return undefined;
    const known = this.verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, this.secret, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] });
      const claims = Object.fromEntries(
        Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
      );
      const ttl = (payload.exp ?? 0) * 1000 - Date.now();
      if (ttl > 0) this.verified.set(token, claims, { ttl });
      return claims;
    } catch {
      return undefined;
    }
  }
}
