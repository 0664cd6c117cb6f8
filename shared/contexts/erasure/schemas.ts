import * as z from 'zod/mini';
import { erasureSteps } from './types.js';

const uuid = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

export const listErasuresQuery = z.strictObject({
  /** `stuck`: unfinished an hour after it started (what the ErasuresStuck alarm counts); `unfinished`: all that have not closed. */
  state: z.optional(z.enum(['unfinished', 'stuck'])),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1100))),
});
export type ListErasuresQuery = z.infer<typeof listErasuresQuery>;

export const erasureIdParams = z.strictObject({
  id: z.string().check(z.regex(new RegExp(`^${uuid}(:${uuid})?$`), 'must be an erasure id: a request id, or <sweepId>:<customerId>')),
});

export const erasureRunSchema = z.object({
  id: z.string(),
  customerId: z.string(),
  cause: z.union([z.object({ requestId: z.string() }), z.object({ sweepId: z.string() })]),
  startedAt: z.string(),
  step: z.enum(erasureSteps),
  progressAt: z.string(),
  resumes: z.int(),
  lastResume: z.optional(z.object({ at: z.string(), by: z.string() })),
});
export const erasureRunPageSchema = z.object({ items: z.array(erasureRunSchema), cursor: z.optional(z.string()) });
