import { createHmac } from 'node:crypto';
import { parsePhoneNumberWithError } from 'libphonenumber-js';

/**
 * Blind indexes: a keyed hash (HMAC-SHA256 under the dedicated index key) of a normalized
 * value, truncated to 128 bits. Equal inputs give equal indexes, so exact lookup and
 * duplicate detection work without decrypting anything; without the key the index says
 * nothing about the value.
 */
export type BlindIndexKind = 'email' | 'phone';

const INDEX_BYTES = 16;

/** Leading and trailing white space (spaces, tabs, line breaks) is never part of a contact. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/**
 * A phone number as written, trimmed, with the `00` international prefix (China and most
 * of Europe dial `0086 138...` for `+86 138...`) written as `+`. Nothing else changes.
 */
export const internationalPhone = (phone: string): string => phone.trim().replace(/^00(?=\s*[1-9])/, '+');

/** E.164 (`+8613812345678`); throws if the number is not a valid international number. */
export function normalizePhone(phone: string): string {
  const parsed = parsePhoneNumberWithError(internationalPhone(phone));
  if (!parsed.isValid()) throw new Error('Not a valid international phone number.');
  return parsed.number;
}

export function normalize(kind: BlindIndexKind, value: string): string {
  return kind === 'email' ? normalizeEmail(value) : normalizePhone(value);
}

export function blindIndex(key: Buffer, kind: BlindIndexKind, value: string): string {
  return createHmac('sha256', key)
    .update(`${kind}:${normalize(kind, value)}`, 'utf8')
    .digest()
    .subarray(0, INDEX_BYTES)
    .toString('base64url');
}
