import { createHmac } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { blindIndex, normalizeEmail, normalizePhone, open, openJson, seal, sealJson, SealError } from '../../platform/crypto/index.js';
import { PreconditionFailedError, ValidationError } from '../../platform/errors/index.js';
import { maskAddress, maskEmail, maskPhone } from './access-policy.js';
import type { ContactGuard, CustomerItem, StoredHistoryEntry } from './repository.js';
import type { ListCustomersQuery, UpdateCustomerInput } from './schemas.js';
import { sealedFields, type HistoryEntry, type PersonalFields, type SealedField } from './types.js';

/** The customer record's field work: normalizing, sealing, masking, filtering. Pure functions. */

type ListFilters = Omit<ListCustomersQuery, 'email' | 'phone' | 'reviewDue' | 'limit' | 'cursor' | 'purpose'>;

export function mask(field: SealedField, value: unknown): unknown {
  const list = value as string[];
  if (field === 'phones') return list.map(maskPhone);
  if (field === 'emails') return list.map(maskEmail);
  if (field === 'addresses') return list.map(maskAddress);
  return value;
}

export function normalizePersonal(input: PersonalFields): PersonalFields {
  const emails = input.emails.map(normalizeEmail);
  const phones = input.phones.map(normalizePhone);
  const repeated = (list: string[], field: string) => {
    const i = list.findIndex((value, at) => list.indexOf(value) !== at);
    if (i >= 0) throw new ValidationError(`${field} lists the same value twice.`, [{ field: `${field}.${i}`, message: 'repeats an earlier entry' }]);
  };
  repeated(emails, 'emails');
  repeated(phones, 'phones');
  return { name: input.name, emails, phones, addresses: input.addresses, personal: input.personal, needs: input.needs };
}

export function contactGuards(indexKey: Buffer, personal: PersonalFields): ContactGuard[] {
  return [
    ...personal.emails.map((email, i) => ({ kind: 'email' as const, index: blindIndex(indexKey, 'email', email), field: `emails.${i}` })),
    ...personal.phones.map((phone, i) => ({ kind: 'phone' as const, index: blindIndex(indexKey, 'phone', phone), field: `phones.${i}` })),
  ];
}

export function sealAll(key: Buffer, customerId: string, personal: PersonalFields): CustomerItem['sealed'] {
  const sealed: CustomerItem['sealed'] = {};
  for (const field of sealedFields) {
    const value = sealJson(key, personal[field], { customerId, field });
    if (value !== undefined) sealed[field] = value;
  }
  return sealed;
}

export function openAll(key: Buffer, item: CustomerItem): PersonalFields {
  const open = <T>(field: SealedField) => openJson<T>(key, item.sealed[field], { customerId: item.id, field });
  return {
    name: open<string>('name') ?? '',
    emails: open<string[]>('emails') ?? [],
    phones: open<string[]>('phones') ?? [],
    addresses: open<string[]>('addresses'),
    personal: open<PersonalFields['personal']>('personal'),
    needs: open<string>('needs'),
  };
}

export function pickClassification(changes: Omit<UpdateCustomerInput, 'reason'>): Partial<CustomerItem> {
  const { region, tier, stage, consumption, language, restricted, objections, legalHolds } = changes;
  return Object.fromEntries(
    Object.entries({ region, tier, stage, consumption, language, restricted, objections, legalHolds }).filter(([, v]) => v !== undefined),
  );
}

export function listFilters(query: ListFilters): Array<{ name: string; equals?: string; contains?: string }> {
  const filters: Array<{ name: string; equals?: string; contains?: string }> = [];
  for (const name of ['type', 'region', 'tier', 'stage'] as const) {
    const value = query[name];
    if (value !== undefined) filters.push({ name, equals: value });
  }
  if (query.tag !== undefined) filters.push({ name: 'tags', contains: query.tag });
  return filters;
}

export function matches(item: CustomerItem, filters: ReturnType<typeof listFilters>, reviewDue: string | undefined, now: Date): boolean {
  const fieldsMatch = filters.every((f) =>
    f.contains !== undefined ? item.tags.includes(f.contains) : (item as Record<string, unknown>)[f.name] === f.equals,
  );
  return fieldsMatch && (reviewDue === undefined || item.reviewDueAt <= `${reviewCutoff(reviewDue, now)}~`);
}

/** `true` means due now; a date means due on or before the end of that day (UTC). */
export const reviewCutoff = (reviewDue: string, now: Date): string =>
  reviewDue === 'true' ? now.toISOString() : `${reviewDue}T23:59:59.999Z`;

export const audited = (action: string, customerId: string) => ({ action, target: { type: 'customer', id: customerId } });

export const historyEntry = (
  version: number,
  at: string,
  actor: AuditContext['actor'],
  action: HistoryEntry['action'],
  fields: string[],
  reason: string,
): HistoryEntry => ({ version, at, actor: actor.id, role: actor.role, action, fields, reason });

const reasonContext = (customerId: string, version: number) => ({ customerId, field: `history.${version}.reason` });

/** A history entry as stored: the reason sealed, bound to its record and version. */
export function sealHistory(key: Buffer, customerId: string, { reason, ...entry }: HistoryEntry): StoredHistoryEntry {
  return { ...entry, sealedReason: seal(key, reason, reasonContext(customerId, entry.version)) };
}

/** A stored history entry as shown; throws SealError when its sealed reason does not open. */
export function openHistory(key: Buffer | undefined, customerId: string, { sealedReason, reason, ...entry }: StoredHistoryEntry): HistoryEntry {
  if (sealedReason === undefined) return { ...entry, reason: reason ?? '' };
  if (!key) throw new SealError('The data key of this record is missing.');
  return { ...entry, reason: open(key, sealedReason, reasonContext(customerId, entry.version)) };
}

export const staleVersion = (current?: number) =>
  new PreconditionFailedError(
    current === undefined
      ? 'The record changed since you read it; read it again and retry.'
      : `The record is at version ${current}; read it again and retry.`,
  );

export const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('base64url');

/** JSON with sorted keys, so equal bodies hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? 'undefined';
}
