import * as z from 'zod/mini';
import { email, phone } from '../customers/index.js';

export const requestCodeSchema = z.strictObject({ contact: z.union([email, phone], 'must be an email address or an international phone number') });
export const createSessionSchema = z.strictObject({
  challengeId: z.uuid('must be the challenge id you were given'),
  code: z.string().check(z.regex(/^\d{6}$/, 'must be the 6-digit code')),
});
export const challengeSchema = z.object({ challengeId: z.uuid(), expiresInSeconds: z.int() });
export const sessionSchema = z.object({ token: z.string(), expiresAt: z.string() });
