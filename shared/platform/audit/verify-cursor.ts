import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors/index.js';

/** Where a paged verification stopped: the chain, the next entry to check, the last one in the window. */
export interface VerifyPosition {
  chain: number;
  nextSeq: number;
  lastSeq: number;
}

const FORMAT = 'kehu-audit-verify-1';
const MAC_BYTES = 16;

export const invalidVerifyCursor = () =>
  new ValidationError('The cursor is not one this API issued for this window; start again without it.', [
    { field: 'cursor', message: 'invalid cursor' },
  ]);

const mac = (key: Buffer, window: { from: string; to: string }, payload: string) =>
  createHmac('sha256', key).update(JSON.stringify([FORMAT, window.from, window.to, payload]), 'utf8').digest().subarray(0, MAC_BYTES);

/** An opaque continuation, MACed together with the window it belongs to. */
export function sealVerifyCursor(key: Buffer, window: { from: string; to: string }, position: VerifyPosition): string {
  const payload = Buffer.from(JSON.stringify([position.chain, position.nextSeq, position.lastSeq]), 'utf8').toString('base64url');
  return `${payload}.${mac(key, window, payload).toString('base64url')}`;
}

/** The position in a cursor issued for the same window; else a 400 naming `cursor`. */
export function openVerifyCursor(key: Buffer, window: { from: string; to: string }, cursor: string): VerifyPosition {
  const [payload, macText, ...rest] = cursor.split('.');
  if (!payload || !macText || rest.length) throw invalidVerifyCursor();
  const given = Buffer.from(macText, 'base64url');
  const expected = mac(key, window, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidVerifyCursor();
  const [chain, nextSeq, lastSeq] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as number[];
  return { chain: chain!, nextSeq: nextSeq!, lastSeq: lastSeq! };
}
