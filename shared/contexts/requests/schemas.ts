import * as z from 'zod/mini';
import { purposeId } from '../consent/index.js';
import { jurisdictions } from './deadlines.js';
import { requestActions, requestStatuses, requestTypes } from './types.js';

export const createRequestSchema = z
  .strictObject({
    customerId: z.uuid('must be a customer id (UUID)'),
    type: z.enum(requestTypes),
    jurisdiction: z.enum(jurisdictions),
    channel: z.enum(['email', 'phone', 'letter', 'face-to-face', 'online-form', 'self-service']),
    details: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(4000))),
    purposes: z.optional(z.array(purposeId).check(z.minLength(1), z.maxLength(20))),
  })
  .check(
    z.refine((r) => r.type !== 'object' || (r.purposes?.length ?? 0) > 0, { message: 'names the purposes objected to', path: ['purposes'] }),
  );
export type CreateRequestInput = z.infer<typeof createRequestSchema>;

/** What a customer sends for their own request: the customer and channel are known. */
export const selfRequestSchema = z
  .strictObject({
    type: z.enum(requestTypes),
    jurisdiction: z.enum(jurisdictions),
    details: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(4000))),
    purposes: z.optional(z.array(purposeId).check(z.minLength(1), z.maxLength(20))),
  })
  .check(
    z.refine((r) => r.type !== 'object' || (r.purposes?.length ?? 0) > 0, { message: 'names the purposes objected to', path: ['purposes'] }),
  );

export const transitionSchema = z
  .strictObject({
    action: z.enum(requestActions),
    reason: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(1000))),
  })
  .check(z.refine((t) => t.action !== 'reject' || t.reason !== undefined, { message: 'is required to reject', path: ['reason'] }));
export type TransitionInput = z.infer<typeof transitionSchema>;

export const requestIdParams = z.strictObject({ id: z.uuid('must be a request id (UUID)') });

export const listRequestsQuery = z.strictObject({
  status: z.optional(z.enum(requestStatuses)),
  overdue: z.optional(z.enum(['true'])),
  customerId: z.optional(z.uuid()),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type ListRequestsQuery = z.infer<typeof listRequestsQuery>;

const transition = z.object({ action: z.string(), at: z.string(), actor: z.string(), role: z.string(), reason: z.optional(z.string()) });
export const requestSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  type: z.enum(requestTypes),
  jurisdiction: z.enum(jurisdictions),
  status: z.enum(requestStatuses),
  channel: z.string(),
  receivedAt: z.string(),
  dueAt: z.string(),
  purposes: z.optional(z.array(z.string())),
  details: z.optional(z.string()),
  rejectionReason: z.optional(z.string()),
  completedAt: z.optional(z.string()),
  outcome: z.optional(z.string()),
  transitions: z.array(transition),
  version: z.int(),
  /** `failed`: the sealed details failed their integrity check and are not shown (operators are alerted). */
  integrity: z.optional(z.literal('failed')),
});
export const requestPageSchema = z.object({ items: z.array(requestSchema), cursor: z.optional(z.string()) });
export const subjectExportSchema = z.object({
  generatedAt: z.string(),
  /** Lists that reached the export's limit of 10,000 rows. */
  truncated: z.optional(z.array(z.string())),
  request: z.optional(z.object({ id: z.string(), type: z.string() })),
  customer: z.record(z.string(), z.unknown()),
  consents: z.record(z.string(), z.unknown()),
  interactions: z.array(z.record(z.string(), z.unknown())),
  complaints: z.array(z.record(z.string(), z.unknown())),
  /** Survey invitations with their state and answers. */
  surveys: z.array(z.record(z.string(), z.unknown())),
  shares: z.array(z.record(z.string(), z.unknown())),
  requests: z.array(z.record(z.string(), z.unknown())),
  accessLog: z.array(z.record(z.string(), z.unknown())),
});

export const certificatePageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      subjectRef: z.string(),
      categories: z.array(z.string()),
      reason: z.enum(['request', 'expiry', 'business-end']),
      method: z.string(),
      requestId: z.optional(z.string()),
      /** What legal holds kept back from this erasure, and until when. */
      retained: z.optional(z.array(z.object({ categories: z.array(z.string()), reason: z.string(), until: z.optional(z.string()) }))),
      actor: z.string(),
      at: z.string(),
    }),
  ),
  cursor: z.optional(z.string()),
});
