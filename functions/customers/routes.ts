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
} from '../../shared/customers/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'customers';
const problems = {
  400: { description: 'Invalid input; `field` and `errors` name what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route or purpose' },
};

/** Customer records (CR-1 to CR-6). Roles per route follow SEC-1's least privilege. */
export const customerRoutes = defineRoutes({
  createCustomer: {
    method: 'POST',
    path: '/v1/customers',
    context,
    summary: 'Create a customer record with its collection basis (CR-1)',
    roles: ['admin', 'agent'],
    body: createCustomerSchema,
    idempotencyKey: true,
    responses: {
      201: { description: 'Created (or replayed for a repeated Idempotency-Key)', schema: customerRecordSchema },
      ...problems,
      409: { description: 'Another customer has one of these emails or phones' },
      422: { description: 'Idempotency-Key reused with another body' },
    },
  },
  listCustomers: {
    method: 'GET',
    path: '/v1/customers',
    context,
    summary: 'List and filter customers; exact email/phone lookup through the blind index',
    roles: ['admin', 'dpo', 'agent', 'marketer', 'analyst'],
    query: listCustomersQuery,
    responses: { 200: { description: 'A page of customers, masked by role and purpose', schema: customerPageSchema }, ...problems },
  },
  getCustomer: {
    method: 'GET',
    path: '/v1/customers/{id}',
    context,
    summary: 'One customer, masked by role and purpose',
    roles: ['admin', 'dpo', 'agent', 'marketer', 'analyst'],
    params: customerIdParams,
    query: readCustomerQuery,
    responses: { 200: { description: 'The record; ETag carries its version', schema: customerRecordSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  updateCustomer: {
    method: 'PATCH',
    path: '/v1/customers/{id}',
    context,
    summary: 'Change fields, with a reason; needs If-Match (CR-4, DSR-2)',
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    query: readCustomerQuery,
    body: updateCustomerSchema,
    ifMatch: 'required',
    responses: {
      200: { description: 'The updated record', schema: customerRecordSchema },
      ...problems,
      404: { description: 'No such customer' },
      409: { description: 'Another customer has one of these emails or phones' },
      412: { description: 'The record changed since it was read' },
      428: { description: 'If-Match is missing' },
    },
  },
  customerHistory: {
    method: 'GET',
    path: '/v1/customers/{id}/history',
    context,
    summary: 'Who changed what, when and why (CR-4)',
    roles: ['admin', 'dpo', 'auditor'],
    params: customerIdParams,
    query: pageQuery,
    responses: { 200: { description: 'Newest first', schema: historyPageSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  verifyCustomer: {
    method: 'POST',
    path: '/v1/customers/{id}/verifications',
    context,
    summary: 'Mark the record verified; moves its next review out by the tier interval (CR-5)',
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    body: verificationSchema,
    responses: { 201: { description: 'Verified', schema: verificationResultSchema }, ...problems, 404: { description: 'No such customer' } },
  },
});
