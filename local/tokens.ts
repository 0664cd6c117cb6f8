import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, jwtVerify } from 'jose';
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
 * Verifies a bearer token as the authorizer would and answers the claims in the form API
 * Gateway hands them to Lambda (strings; arrays as `[a b]`), or undefined if invalid.
 */
export async function verifyBearer(secret: Uint8Array, header: string | undefined): Promise<Record<string, string> | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE, algorithms: ['HS256'] });
    return Object.fromEntries(
      Object.entries(payload).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
    );
  } catch {
    return undefined;
  }
}
