import * as z from 'zod/mini';
import { interactionChannels } from './types.js';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));

export const createInteractionSchema = z.strictObject({
  channel: z.enum(interactionChannels),
  occurredAt: z.iso.datetime({ offset: false }),
  place: z.optional(text(300)),
  participants: z.array(text(200)).check(z.minLength(1), z.maxLength(20)),
  summary: text(4000),
  /** References to documents kept elsewhere (a document-store key, a URL). */
  attachments: z.optional(z.array(text(500)).check(z.maxLength(20))),
});
export type CreateInteractionInput = z.infer<typeof createInteractionSchema>;

export const interactionSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  channel: z.enum(interactionChannels),
  occurredAt: z.string(),
  place: z.optional(z.string()),
  participants: z.array(z.string()),
  summary: z.string(),
  attachments: z.array(z.string()),
  recordedBy: z.string(),
  recordedAt: z.string(),
  contentHash: z.string(),
});
/** An interaction whose stored content failed its integrity check: listed, not shown. */
export const damagedInteractionSchema = z.object({ id: z.uuid(), customerId: z.uuid(), occurredAt: z.string(), integrity: z.literal('failed') });
export const interactionPageSchema = z.object({ items: z.array(z.union([interactionSchema, damagedInteractionSchema])), cursor: z.optional(z.string()) });
