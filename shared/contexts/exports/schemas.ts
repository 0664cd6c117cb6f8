import * as z from 'zod/mini';
import { purposeFields } from '../consent/index.js';
import { customerTypes, lifecycleStages, region, tag, tier } from '../customers/index.js';

const segment = z.strictObject({
  type: z.optional(z.enum(customerTypes)),
  region: z.optional(region),
  tier: z.optional(tier),
  tag: z.optional(tag),
  stage: z.optional(z.enum(lifecycleStages)),
});

export const marketingExportSchema = z.strictObject({
  segment: z.optional(segment),
  /** A subset of the fields the marketing purpose may use; all of them if absent. */
  fields: z.optional(z.array(z.enum(purposeFields)).check(z.minLength(1))),
  limit: z.optional(z.int().check(z.minimum(1), z.maximum(1000))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type MarketingExportInput = z.infer<typeof marketingExportSchema>;

export const analysisExportSchema = z.strictObject({
  segment: z.optional(segment),
  /** Keep pseudonyms stable across exports (to follow a customer over time). Off by default. */
  linkable: z.optional(z.boolean()),
});
export type AnalysisExportInput = z.infer<typeof analysisExportSchema>;

export const marketingExportResult = z.object({
  purposeId: z.string(),
  noticeVersion: z.string(),
  fields: z.array(z.string()),
  items: z.array(z.record(z.string(), z.unknown())),
  cursor: z.optional(z.string()),
});
export const analysisExportResult = z.object({
  purposeId: z.string(),
  linkable: z.boolean(),
  count: z.int(),
  items: z.array(z.record(z.string(), z.unknown())),
});
