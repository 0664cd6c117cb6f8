import * as z from 'zod/mini';
import { findingLevels, findingRules } from './types.js';

const instant = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:\d{2})?$/, 'must be an ISO time, e.g. 2026-03-01T08:00:00Z'));

/** `GET /v1/security/findings`: newest hour first, by rule, level and the hour counted. */
export const listFindingsQuery = z.strictObject({
  rule: z.optional(z.enum(findingRules)),
  level: z.optional(z.enum(findingLevels)),
  from: z.optional(instant),
  to: z.optional(instant),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type ListFindingsQuery = z.infer<typeof listFindingsQuery>;

export const findingSchema = z.object({
  id: z.uuid(),
  rule: z.enum(findingRules),
  level: z.enum(findingLevels),
  subject: z.string(),
  subjectRole: z.optional(z.string()),
  hour: z.string(),
  observed: z.int(),
  threshold: z.int(),
  baseline: z.optional(z.object({ actor: z.optional(z.number()), role: z.optional(z.number()) })),
  firstAt: z.string(),
  lastAt: z.string(),
  incidentId: z.optional(z.uuid()),
  updatedAt: z.string(),
});
export const findingPageSchema = z.object({ items: z.array(findingSchema), cursor: z.optional(z.string()) });
