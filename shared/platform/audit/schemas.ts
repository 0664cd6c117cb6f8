import * as z from 'zod/mini';

const isoTime = z.iso.datetime({ offset: false });
const id = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.:@/-]+$/, 'must be an id'));

export const auditTargetTypes = ['customer', 'interaction', 'purpose', 'partner', 'search', 'improvement-action', 'incident', 'finding'] as const;

export const listAuditQuery = z
  .strictObject({
    targetType: z.optional(z.enum(auditTargetTypes)),
    targetId: z.optional(id),
    actor: z.optional(id),
    from: z.optional(isoTime),
    to: z.optional(isoTime),
    limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
    cursor: z.optional(z.string().check(z.maxLength(1024))),
  })
  .check(
    z.refine((q) => q.targetId !== undefined || q.actor !== undefined, {
      message: 'name a target (targetId) or an actor; POST /v1/audit/verify covers whole time ranges',
      path: ['targetId'],
    }),
  );

export const verifyAuditBody = z.strictObject({
  from: isoTime,
  to: isoTime,
  /** The `next` of the previous answer, with the same window. */
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
});

const entry = z.object({
  format: z.enum(['kehu-audit-1', 'kehu-audit-2']),
  chain: z.int(),
  seq: z.int(),
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  purpose: z.string(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string(),
  requestId: z.string(),
  subjectHash: z.optional(z.string()),
  prevMac: z.string(),
  mac: z.string(),
});
export const auditPageSchema = z.object({ items: z.array(entry), cursor: z.optional(z.string()) });
export const verificationReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  entriesChecked: z.int(),
  subjectsChecked: z.int(),
  legacyEntries: z.int(),
  ok: z.boolean(),
  checkpoint: z.optional(z.object({ at: z.string(), chains: z.int() })),
  next: z.optional(z.string()),
  firstFailure: z.optional(
    z.object({
      chain: z.int(),
      seq: z.int(),
      reason: z.enum(['hash', 'link', 'missing', 'subject', 'format', 'truncated', 'checkpoint']),
      detail: z.string(),
      target: z.optional(z.object({ type: z.string(), id: z.string() })),
    }),
  ),
});
