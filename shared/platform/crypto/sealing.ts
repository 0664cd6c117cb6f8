import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SealError } from './errors.js';

/**
 * Field sealing: AES-256-GCM with a random 96-bit IV. The additional authenticated data
 * binds the customer id, the field name and the format version, so a ciphertext copied to
 * another record or field fails to open.
 *
 * Format: `v1.<iv>.<ciphertext+tag>`, both base64url.
 */
export const SEAL_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SealContext {
  customerId: string;
  field: string;
}

// JSON, not a joined string: no choice of id and field can forge another pair's AAD.
const aadOf = (version: string, { customerId, field }: SealContext): Buffer =>
  Buffer.from(JSON.stringify(['kehu', version, customerId, field]), 'utf8');

export function seal(key: Buffer, plaintext: string, context: SealContext): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aadOf(SEAL_VERSION, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${SEAL_VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function open(key: Buffer, sealed: string, context: SealContext): string {
  const [version, ivText, bodyText, ...rest] = sealed.split('.');
  if (version !== SEAL_VERSION || !ivText || !bodyText || rest.length > 0) {
    throw new SealError('Unknown sealed value format.');
  }
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SealError('Malformed sealed value.');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aadOf(version, context));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SealError();
  }
}

/** Seals a JSON value; `undefined` stays absent. */
export const sealJson = (key: Buffer, value: unknown, context: SealContext): string | undefined =>
  value === undefined ? undefined : seal(key, JSON.stringify(value), context);

export const openJson = <T>(key: Buffer, sealed: string | undefined, context: SealContext): T | undefined =>
  sealed === undefined ? undefined : (JSON.parse(open(key, sealed, context)) as T);
