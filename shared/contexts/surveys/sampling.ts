import { createHash, createHmac } from 'node:crypto';

/**
 * Random samples of an audience (SAT-2) by sequential sampling (Knuth's algorithm S): with
 * `N` eligible customers known from the counting pass, each one seen is chosen when
 * u < (k − chosen) / (N − seen). Exactly k are chosen, each with the same chance, in one
 * pass and without holding the audience in memory. u comes from HMAC-SHA256(dispatchId,
 * customerId), so a page read again decides the same.
 */

/** A number in [0, 1) fixed by the dispatch and the customer: the first 52 bits of their HMAC. */
export function sampleDraw(dispatchId: string, customerId: string): number {
  const digest = createHmac('sha256', dispatchId).update(customerId, 'utf8').digest();
  const high = digest.readUInt32BE(0) >>> 12; // 20 bits
  const low = digest.readUInt32BE(4); // 32 bits
  return (high * 2 ** 32 + low) / 2 ** 52;
}

export interface SampleState {
  /** How many to choose (at most the population). */
  k: number;
  /** The eligible population the counting pass found. */
  population: number;
  seen: number;
  chosen: number;
}

/**
 * Whether the next eligible customer is chosen. Once as many are left as are still wanted
 * every one is; once k are chosen none is (also when the population grew since it was counted).
 */
export function chooses(state: SampleState, draw: number): boolean {
  const wanted = Math.min(state.k, state.population) - state.chosen;
  if (wanted <= 0) return false;
  const left = state.population - state.seen;
  if (left <= wanted) return true;
  return draw < wanted / left;
}

/** A UUID (version 4 layout) derived from the text: the same dispatch for the same survey and wave, however often asked. */
export function uuidOf(text: string): string {
  const bytes = createHash('sha256').update(text, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
