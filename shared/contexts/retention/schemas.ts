import * as z from 'zod/mini';

/** Data categories with a retention rule, and the date each one's clock runs from (RET-1). */
export const retentionCategories = ['profile', 'interaction'] as const;

export const retentionPolicy = z.strictObject({
  category: z.enum(retentionCategories),
  /** Days to keep after the last change of the profile, or after an interaction happened. */
  retainDays: z.int().check(z.minimum(1), z.maximum(36_500)),
  description: z.optional(z.string().check(z.trim(), z.maxLength(500))),
});
export type RetentionPolicy = z.infer<typeof retentionPolicy>;

export const putPoliciesSchema = z
  .strictObject({ policies: z.array(retentionPolicy).check(z.maxLength(retentionCategories.length)) })
  .check(
    z.refine((body) => new Set(body.policies.map((p) => p.category)).size === body.policies.length, {
      message: 'names a category twice',
      path: ['policies'],
    }),
  );

export const policiesSchema = z.object({ policies: z.array(retentionPolicy) });
export const sweepResultSchema = z.object({
  sweepId: z.uuid(),
  at: z.string(),
  interactionsDestroyed: z.int(),
  customersQueued: z.int(),
});
