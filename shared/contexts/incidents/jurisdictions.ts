import type { Jurisdiction } from './types.js';

/** The EU and EEA member states (GDPR applies through the EEA Agreement): ISO 3166-1 alpha-2. */
const GDPR_COUNTRIES = new Set(['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE', 'IS', 'LI', 'NO']);

/** The jurisdiction of a customer's region code (`CN-SH`, `DE-BE`, `US`): mainland China, the EEA, or other. */
export function jurisdictionOf(region: string | undefined): Jurisdiction {
  const country = (region ?? '').slice(0, 2).toUpperCase();
  if (country === 'CN') return 'CN';
  return GDPR_COUNTRIES.has(country) ? 'EU' : 'OTHER';
}
