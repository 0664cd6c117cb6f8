import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { ForbiddenError } from '../../platform/errors/index.js';
import type { Role } from '../../platform/access/index.js';

/**
 * What each role sees of a customer, per purpose (SEC-1, CR-6). Fields not needed for a
 * purpose are not even decrypted. The first purpose listed for a role is its default.
 */
export type Visibility = 'full' | 'masked' | 'hidden';
export type FieldCategory = 'name' | 'contact' | 'sensitive' | 'needs';
export type CustomerView = Readonly<Record<FieldCategory, Visibility>>;

const everything: CustomerView = { name: 'full', contact: 'full', sensitive: 'full', needs: 'full' };
const classificationOnly: CustomerView = { name: 'hidden', contact: 'hidden', sensitive: 'hidden', needs: 'hidden' };

export const customerViews: Readonly<Record<Role, Readonly<Record<string, CustomerView>>>> = {
  admin: { service: everything, contact: everything, verification: everything },
  dpo: { service: everything, contact: everything, verification: everything },
  agent: {
    service: { name: 'full', contact: 'masked', sensitive: 'hidden', needs: 'full' },
    contact: { name: 'full', contact: 'full', sensitive: 'hidden', needs: 'full' },
    verification: { name: 'full', contact: 'full', sensitive: 'full', needs: 'full' },
  },
  marketer: { marketing: { name: 'full', contact: 'hidden', sensitive: 'hidden', needs: 'hidden' } },
  analyst: { analytics: classificationOnly },
  auditor: {},
};

export const fieldCategories: Readonly<Record<'name' | 'emails' | 'phones' | 'addresses' | 'personal' | 'needs', FieldCategory>> = {
  name: 'name',
  emails: 'contact',
  phones: 'contact',
  addresses: 'contact',
  personal: 'sensitive',
  needs: 'needs',
};

export interface ResolvedView {
  purpose: string;
  view: CustomerView;
}

/** The view for a role and an optional requested purpose; a purpose the role may not use is refused. */
export function resolveView(role: Role, purpose?: string): ResolvedView {
  const views = customerViews[role];
  const chosen = purpose ?? Object.keys(views)[0];
  // Own properties only: a purpose such as `constructor` must not find Object's.
  const view = chosen !== undefined && Object.hasOwn(views, chosen) ? views[chosen] : undefined;
  if (!chosen || !view) {
    throw new ForbiddenError(`The role ${role} may not read customer data for this purpose.`, 'purpose');
  }
  return { purpose: chosen, view };
}

/** May this role see contact values in full? Needed for lookups by email or phone. */
export const canSeeContacts = (role: Role): boolean =>
  Object.values(customerViews[role]).some((view) => view.contact === 'full');

/** `+8613812345678` -> `+86 138****5678`: the country, the first three and last four digits. */
export function maskPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  const national = parsed?.nationalNumber ?? e164.replace(/\D/g, '');
  const country = parsed ? `+${parsed.countryCallingCode} ` : '';
  if (national.length <= 7) return `${country}${'*'.repeat(Math.max(national.length - 2, 1))}${national.slice(-2)}`;
  return `${country}${national.slice(0, 3)}${'*'.repeat(national.length - 7)}${national.slice(-4)}`;
}

/** `zhang.wei@example.com` -> `z***@example.com`. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at <= 0 ? '***' : `${email[0]}***${email.slice(at)}`;
}

/** Keeps the first few characters of an address (usually the city or district). */
export const maskAddress = (address: string): string => `${[...address].slice(0, 6).join('')}***`;

/** The view that decrypts exactly the personal fields a purpose or an agreement may use (CR-6). */
export const viewForFields = (fields: readonly string[]): CustomerView => ({
  name: fields.includes('name') ? 'full' : 'hidden',
  contact: fields.some((f) => f === 'emails' || f === 'phones' || f === 'addresses') ? 'full' : 'hidden',
  sensitive: 'hidden',
  needs: 'hidden',
});

/** Only these fields of a record, and its id. */
export function pickFields(record: object, fields: readonly string[]): Record<string, unknown> & { id: string } {
  const source = record as Record<string, unknown>;
  return { ...Object.fromEntries(fields.filter((f) => source[f] !== undefined).map((f) => [f, source[f]])), id: String(source.id) };
}
