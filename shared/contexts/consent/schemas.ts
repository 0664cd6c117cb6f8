import * as z from 'zod/mini';
import { purposeFields } from './types.js';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
export const purposeId = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'must be lower-case letters, digits and dashes, at most 48'));

export const purposeParams = z.strictObject({ purposeId });

export const putPurposeSchema = z.strictObject({
  name: text(120),
  description: text(2000),
  noticeVersion: text(64),
  requiresConsent: z.boolean(),
  fields: z.array(z.enum(purposeFields)).check(z.maxLength(purposeFields.length)),
});
export type PutPurposeInput = z.infer<typeof putPurposeSchema>;

export const recordConsentSchema = z
  .strictObject({
    purposeId,
    action: z.enum(['give', 'withdraw']),
    channel: z.enum(['face-to-face', 'phone', 'online-form', 'email', 'letter', 'self-service', 'import']),
    /** The notice version the customer was shown; a consent must be to the current one. */
    noticeVersion: z.optional(text(64)),
    /** Where the proof is: a form number, a recording reference. Sealed, never shown in lists. */
    evidence: z.optional(text(500)),
  })
  .check(
    z.refine((c) => c.action === 'withdraw' || c.noticeVersion !== undefined, {
      message: 'is required to give consent',
      path: ['noticeVersion'],
    }),
  );
export type RecordConsentInput = z.infer<typeof recordConsentSchema>;

export const renewalsQuery = z.strictObject({
  purposeId,
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

const purpose = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  noticeVersion: z.string(),
  requiresConsent: z.boolean(),
  fields: z.array(z.string()),
  version: z.int(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export const purposeSchema = purpose;
export const purposeListSchema = z.object({ items: z.array(purpose) });
const state = z.object({
  purposeId: z.string(),
  status: z.enum(['given', 'withdrawn']),
  noticeVersion: z.string(),
  channel: z.string(),
  at: z.string(),
  current: z.boolean(),
});
export const consentStateSchema = state;
export const consentsSchema = z.object({
  current: z.array(state),
  history: z.array(
    z.object({
      purposeId: z.string(),
      action: z.enum(['give', 'withdraw']),
      noticeVersion: z.string(),
      channel: z.string(),
      at: z.string(),
      recordedBy: z.string(),
      evidence: z.optional(z.string()),
      /** `failed`: the sealed evidence of this decision failed its integrity check and is not shown. */
      integrity: z.optional(z.literal('failed')),
    }),
  ),
});
export const renewalsSchema = z.object({
  purposeId: z.string(),
  noticeVersion: z.string(),
  items: z.array(z.object({ customerId: z.string(), noticeVersion: z.string(), at: z.string() })),
  cursor: z.optional(z.string()),
});
