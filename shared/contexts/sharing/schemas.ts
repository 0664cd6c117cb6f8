import * as z from 'zod/mini';
import { purposeFields, purposeId } from '../consent/index.js';
import { lawfulBases } from '../customers/index.js';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const partnerId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lower-case letters, digits and dashes, at most 48'));

export const createPartnerSchema = z.strictObject({
  id: partnerId,
  name: text(200),
  /** The data-sharing agreement: without one, nothing is shared. */
  agreementRef: z.optional(text(200)),
  agreementExpiresOn: z.optional(z.iso.date()),
  purposes: z.array(purposeId).check(z.minLength(1), z.maxLength(20)),
  fields: z.array(z.enum(purposeFields)).check(z.minLength(1)),
});
export type CreatePartnerInput = z.infer<typeof createPartnerSchema>;

/** At most 45 customers per share: the share, a pointer and an audit entry per customer commit together (100 at most). */
export const MAX_SHARED_CUSTOMERS = 45;

export const createShareSchema = z.strictObject({
  partnerId,
  purposeId,
  fields: z.array(z.enum(purposeFields)).check(z.minLength(1)),
  customerIds: z.array(z.uuid('must be a customer id (UUID)')).check(z.minLength(1), z.maxLength(MAX_SHARED_CUSTOMERS)),
  legalBasis: z.enum(lawfulBases),
});
export type CreateShareInput = z.infer<typeof createShareSchema>;

export const listSharesQuery = z.strictObject({
  partnerId: z.optional(partnerId),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

const partner = z.object({
  id: z.string(),
  name: z.string(),
  agreementRef: z.optional(z.string()),
  agreementExpiresOn: z.optional(z.string()),
  purposes: z.array(z.string()),
  fields: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
});
export const partnerSchema = partner;
export const partnerListSchema = z.object({ items: z.array(partner) });
const share = z.object({
  id: z.uuid(),
  partnerId: z.string(),
  agreementRef: z.string(),
  purposeId: z.string(),
  fields: z.array(z.string()),
  customerIds: z.array(z.string()),
  legalBasis: z.string(),
  at: z.string(),
  actor: z.string(),
});
export const shareResultSchema = z.object({ share, items: z.array(z.record(z.string(), z.unknown())) });
export const sharePageSchema = z.object({ items: z.array(share), cursor: z.optional(z.string()) });
