import * as z from 'zod/mini';

/**
 * The path and page parameters other contexts' routes share. Apart from the customer
 * schemas, so that a function that takes a customer id does not carry phone validation.
 */
export const customerIdParams = z.strictObject({ id: z.uuid('must be a customer id (UUID)') });
export const pageQuery = z.strictObject({
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(100))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
