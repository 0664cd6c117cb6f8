import {
  createCustomerSchema,
  customerIdParams,
  customerPageSchema,
  customerRecordSchema,
  historyPageSchema,
  listCustomersQuery,
  pageQuery,
  readCustomerQuery,
  updateCustomerSchema,
  verificationResultSchema,
  verificationSchema,
} from '../../shared/contexts/customers/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'customers';
const problems = {
  400: { description: 'Invalid input; `field` and `errors` name what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route or purpose' },
};

const damaged =
  'A failure on the server side; type `urn:kehu:problem:integrity` when the stored record failed its integrity check (its sealed data does not open): nothing was changed, operators are alerted, and other records are unaffected';

/** Customer records (CR-1 to CR-6). Roles per route follow SEC-1's least privilege. */
export const customerRoutes = defineRoutes({
  createCustomer: {
    method: 'POST',
    path: '/v1/customers',
    context,
    operationId: 'createCustomer',
    summary: 'Create a customer record with its collection basis (CR-1)',
    description:
      "Creates the record with the basis it was collected on: channel, purposes, notice version and lawful basis (CR-1). Contacts are sealed under the customer's own key and found later through keyed hashes; an email or phone already on another record is refused. Send an `Idempotency-Key` to retry safely: the same key and body answer the first result.",
    roles: ['admin', 'agent'],
    body: createCustomerSchema,
    idempotencyKey: true,
    responses: {
      201: {
        description: 'Created (or replayed for a repeated Idempotency-Key)',
        schema: customerRecordSchema,
        headers: { ETag: 'required', Location: 'required', 'Idempotent-Replayed': 'optional' },
      },
      ...problems,
      409: { description: 'Another customer has one of these emails or phones' },
      410: { description: 'The customer this Idempotency-Key created has since been erased (`urn:kehu:problem:gone`); nothing was created' },
      422: { description: 'Idempotency-Key reused with another body' },
    },
  },
  listCustomers: {
    method: 'GET',
    path: '/v1/customers',
    context,
    operationId: 'listCustomers',
    summary: 'List and filter customers; exact email/phone lookup through the blind index',
    description:
      "Filters by type, region, tier, tag or stage; `email` or `phone` finds one customer exactly through the blind index (for roles that may see contacts). Fields are masked by role and purpose; the answer's `cursor` reads the next page.",
    roles: ['admin', 'dpo', 'agent', 'marketer', 'analyst'],
    query: listCustomersQuery,
    responses: {
      200: {
        description: 'A page of customers, masked by role and purpose; a record whose stored data failed its integrity check is listed as `{id, integrity: "failed"}`',
        schema: customerPageSchema,
      },
      ...problems,
    },
  },
  getCustomer: {
    method: 'GET',
    path: '/v1/customers/{id}',
    context,
    operationId: 'getCustomer',
    summary: 'One customer, masked by role and purpose',
    description:
      'The record as the role may see it for the purpose named by `purpose` (for example `contact` for full phone numbers). Every read is recorded in the audit trail.',
    roles: ['admin', 'dpo', 'agent', 'marketer', 'analyst'],
    params: customerIdParams,
    query: readCustomerQuery,
    responses: {
      200: { description: 'The record; ETag carries its version', schema: customerRecordSchema, headers: { ETag: 'required' } },
      ...problems,
      404: { description: 'No such customer' },
      500: { description: damaged },
    },
  },
  updateCustomer: {
    method: 'PATCH',
    path: '/v1/customers/{id}',
    context,
    operationId: 'updateCustomer',
    summary: 'Change fields, with a reason; needs If-Match (CR-4, DSR-2)',
    description:
      "Changes the fields sent and records the `reason` in the history (CR-4); a customer's rectification goes through here (DSR-2). Send the ETag you read as `If-Match`: a record changed meanwhile answers 412.",
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    query: readCustomerQuery,
    body: updateCustomerSchema,
    ifMatch: 'required',
    responses: {
      200: { description: 'The updated record', schema: customerRecordSchema, headers: { ETag: 'required' } },
      ...problems,
      404: { description: 'No such customer' },
      409: { description: 'Another customer has one of these emails or phones' },
      412: { description: 'The record changed since it was read' },
      428: { description: 'If-Match is missing' },
      500: { description: damaged },
    },
  },
  customerHistory: {
    method: 'GET',
    path: '/v1/customers/{id}/history',
    context,
    operationId: 'listCustomerHistory',
    summary: 'Who changed what, when and why (CR-4)',
    description: 'Who changed which fields of the record, when and why, newest first (CR-4).',
    roles: ['admin', 'dpo', 'auditor'],
    params: customerIdParams,
    query: pageQuery,
    responses: { 200: { description: 'Newest first', schema: historyPageSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  verifyCustomer: {
    method: 'POST',
    path: '/v1/customers/{id}/verifications',
    context,
    operationId: 'verifyCustomer',
    summary: 'Mark the record verified; moves its next review out by the tier interval (CR-5)',
    description:
      "Records that the customer's data was confirmed, and how; the next review moves out by the tier's interval (CR-5).",
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    body: verificationSchema,
    responses: { 201: { description: 'Verified', schema: verificationResultSchema }, ...problems, 404: { description: 'No such customer' } },
  },
});
