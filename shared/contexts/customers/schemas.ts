import * as z from 'zod/mini';
import { isSupportedCountry, isValidPhoneNumber } from 'libphonenumber-js';
import { internationalPhone } from '../../platform/crypto/index.js';
import {
  collectionChannels,
  consumptionHabits,
  customerLanguages,
  customerTypes,
  lawfulBases,
  lifecycleStages,
  verificationMethods,
  holdCategories,
} from './types.js';

/** Bounded strings everywhere: nothing unbounded reaches the store or the key service. */
const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const slug = z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be lower-case letters, digits and dashes, at most 32'));

/** Trimmed first: a contact pasted with a space, tab or line break around it is the same contact. */
export const email = z.string().check(z.trim(), z.maxLength(254), z.email('must be a valid email address'));
/** Trimmed, and `0086 138...` read as `+86 138...`: the `00` international prefix is `+`. */
export const phone = z.string().check(
  z.trim(),
  z.maxLength(32),
  z.overwrite(internationalPhone),
  z.refine((value) => isValidPhoneNumber(value), 'must be a valid international number, e.g. +8613812345678'),
);
/** ISO 3166-1 alpha-2 country, optionally with an ISO 3166-2 subdivision: `CN`, `CN-SH`, `DE-BE`. */
export const region = z.string().check(
  z.regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must be an ISO 3166 code such as CN, CN-SH or DE-BE'),
  z.refine((value) => isSupportedCountry(value.slice(0, 2)), 'names an unknown country'),
);
export const tier = slug;
export const tag = slug;

const personalDetails = z.strictObject({
  interests: z.optional(z.array(text(100)).check(z.maxLength(20))),
  occupation: z.optional(text(200)),
  family: z.optional(text(500)),
});

export const collectionSchema = z.strictObject({
  channel: z.enum(collectionChannels),
  purposes: z.array(slug).check(z.minLength(1), z.maxLength(20)),
  noticeVersion: text(64),
  lawfulBasis: z.enum(lawfulBases),
});

const mutableFields = {
  name: text(200),
  emails: z.array(email).check(z.maxLength(5)),
  phones: z.array(phone).check(z.maxLength(5)),
  addresses: z.optional(z.array(text(300)).check(z.maxLength(5))),
  personal: z.optional(personalDetails),
  needs: z.optional(text(2000)),
  region,
  tier,
  tags: z.array(tag).check(z.maxLength(20)),
  stage: z.enum(lifecycleStages),
  consumption: z.optional(z.enum(consumptionHabits)),
  language: z.optional(z.enum(customerLanguages)),
};

export const createCustomerSchema = z.strictObject({
  type: z.enum(customerTypes),
  ...mutableFields,
  collection: collectionSchema,
});
export type CreateCustomerInput = z.infer<typeof createCustomerSchema>;

/** Restriction of processing and objections to purposes (DSR-5), honoured by every purpose-bound use. */
const processingFlags = {
  restricted: z.optional(z.boolean()),
  objections: z.optional(z.array(slug).check(z.maxLength(20))),
  /**
   * Legal holds (an open dispute, a retention obligation) stop erasure and expiry while
   * active; one naming categories narrows them instead, and must name its last day.
   */
  legalHolds: z.optional(
    z
      .array(
        z
          .strictObject({
            reason: text(200),
            until: z.optional(z.iso.date()),
            categories: z.optional(z.array(z.enum(holdCategories)).check(z.minLength(1), z.maxLength(holdCategories.length))),
          })
          .check(
            z.refine((hold) => !hold.categories || hold.until !== undefined, {
              message: 'is required when a hold names categories (the kept data is destroyed when the hold ends)',
              path: ['until'],
            }),
          ),
      )
      .check(z.maxLength(10)),
  ),
};

export const updateCustomerSchema = z
  .strictObject({
    ...(Object.fromEntries(Object.entries(mutableFields).map(([k, v]) => [k, z.optional(v)])) as {
      [K in keyof typeof mutableFields]: z.ZodMiniOptional<(typeof mutableFields)[K]>;
    }),
    ...processingFlags,
    reason: text(500),
  })
  .check(
    z.refine((patch) => Object.keys(patch).some((k) => k !== 'reason'), {
      message: 'names no field to change',
      path: ['reason'],
    }),
  );
export type UpdateCustomerInput = z.infer<typeof updateCustomerSchema>;

export const verificationSchema = z.strictObject({
  method: z.enum(verificationMethods),
  fields: z.optional(z.array(z.enum(['name', 'emails', 'phones', 'addresses'])).check(z.minLength(1), z.maxLength(4))),
});
export type VerificationInput = z.infer<typeof verificationSchema>;

const reviewDue = z.union([z.literal('true'), z.iso.date()]);

export const listCustomersQuery = z.strictObject({
  email: z.optional(email),
  phone: z.optional(phone),
  type: z.optional(z.enum(customerTypes)),
  region: z.optional(region),
  tier: z.optional(tier),
  tag: z.optional(tag),
  stage: z.optional(z.enum(lifecycleStages)),
  reviewDue: z.optional(reviewDue),
  purpose: z.optional(slug),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type ListCustomersQuery = z.infer<typeof listCustomersQuery>;

export const readCustomerQuery = z.strictObject({ purpose: z.optional(slug) });

/** Answers, for the OpenAPI document. Personal fields appear only where the caller's view shows them. */
export const customerRecordSchema = z.object({
  id: z.uuid(),
  number: z.string(),
  type: z.enum(customerTypes),
  name: z.optional(z.string()),
  emails: z.optional(z.array(z.string())),
  phones: z.optional(z.array(z.string())),
  addresses: z.optional(z.array(z.string())),
  personal: z.optional(personalDetails),
  needs: z.optional(z.string()),
  region: z.string(),
  tier: z.string(),
  tags: z.array(z.string()),
  stage: z.enum(lifecycleStages),
  consumption: z.optional(z.enum(consumptionHabits)),
  language: z.optional(z.enum(customerLanguages)),
  restricted: z.optional(z.boolean()),
  objections: z.optional(z.array(z.string())),
  legalHolds: z.optional(z.array(z.object({ reason: z.string(), until: z.optional(z.string()), categories: z.optional(z.array(z.enum(holdCategories))) }))),
  collection: z.object({ ...collectionSchema.shape, collectedAt: z.iso.datetime() }),
  version: z.int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  review: z.object({ lastVerifiedAt: z.optional(z.iso.datetime()), dueAt: z.iso.datetime() }),
});

/** A record whose stored data failed its integrity check: listed by id, not shown (operators are alerted). */
export const damagedRecordSchema = z.object({ id: z.uuid(), integrity: z.literal('failed') });
export const customerPageSchema = z.object({ items: z.array(z.union([customerRecordSchema, damagedRecordSchema])), cursor: z.optional(z.string()) });

export const historyPageSchema = z.object({
  items: z.array(
    z.object({
      version: z.int(),
      at: z.iso.datetime(),
      actor: z.string(),
      role: z.string(),
      action: z.enum(['created', 'updated', 'verified']),
      fields: z.array(z.string()),
      /** Absent only when `integrity` is `failed`. */
      reason: z.optional(z.string()),
      /** `failed`: the sealed reason failed its integrity check and is not shown (operators are alerted). */
      integrity: z.optional(z.literal('failed')),
    }),
  ),
  cursor: z.optional(z.string()),
});

export const verificationResultSchema = z.object({
  verifiedAt: z.iso.datetime(),
  reviewDueAt: z.iso.datetime(),
  version: z.int(),
});
