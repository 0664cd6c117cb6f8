import { roles } from '../../shared/platform/access/index.js';
import {
  consentStateSchema,
  consentsSchema,
  purposeListSchema,
  purposeParams,
  purposeSchema,
  putPurposeSchema,
  recordConsentSchema,
  renewalsQuery,
  renewalsSchema,
} from '../../shared/contexts/consent/index.js';
import { customerIdParams } from '../../shared/contexts/customers/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'consent';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
};

/** Purposes, consent and renewals (CON-1, CON-2). */
export const consentRoutes = defineRoutes({
  listPurposes: {
    method: 'GET',
    path: '/v1/purposes',
    context,
    operationId: 'listPurposes',
    summary: 'Processing purposes and their current privacy-notice versions',
    description:
      'Every processing purpose with the fields it may use, whether it needs consent, and its current privacy-notice version.',
    roles,
    responses: { 200: { description: 'All purposes', schema: purposeListSchema }, ...problems },
  },
  getPurpose: {
    method: 'GET',
    path: '/v1/purposes/{purposeId}',
    context,
    operationId: 'getPurpose',
    summary: 'One purpose; ETag carries its version',
    description: 'One purpose; its ETag is the version to send as `If-Match` when replacing it.',
    roles,
    params: purposeParams,
    responses: { 200: { description: 'The purpose', schema: purposeSchema, headers: { ETag: 'required' } }, ...problems, 404: { description: 'No such purpose' } },
  },
  putPurpose: {
    method: 'PUT',
    path: '/v1/purposes/{purposeId}',
    context,
    operationId: 'putPurpose',
    summary: 'Create or replace a purpose (If-Match to replace); a new notice version asks consenting customers again',
    description:
      'Creates a purpose, or replaces one when sent with `If-Match`. A new notice version means consent given to an older one is asked for again (CON-2).',
    roles: ['admin', 'dpo'],
    params: purposeParams,
    body: putPurposeSchema,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced', schema: purposeSchema, headers: { ETag: 'required' } },
      201: { description: 'Created', schema: purposeSchema, headers: { ETag: 'required' } },
      ...problems,
      412: { description: 'Stale If-Match' },
      428: { description: 'The purpose exists and If-Match is missing' },
    },
  },
  listConsents: {
    method: 'GET',
    path: '/v1/customers/{id}/consents',
    context,
    operationId: 'listCustomerConsents',
    summary: "A customer's current consent per purpose and the full history",
    description:
      'The current decision per purpose and every decision before it, with channel, notice version and evidence.',
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    responses: { 200: { description: 'Consents', schema: consentsSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  recordConsent: {
    method: 'POST',
    path: '/v1/customers/{id}/consents',
    context,
    operationId: 'recordConsent',
    summary: 'Give or withdraw consent for a purpose, with channel, notice version and evidence',
    description:
      "Records a decision to give or withdraw consent for a purpose; consent is given to the purpose's current notice version (CON-1).",
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    body: recordConsentSchema,
    responses: {
      201: { description: 'Recorded', schema: consentStateSchema },
      ...problems,
      404: { description: 'No such customer or purpose' },
      409: { description: 'Consent to an outdated notice, or a concurrent decision' },
    },
  },
  consentRenewals: {
    method: 'GET',
    path: '/v1/consents/renewals',
    context,
    operationId: 'listConsentRenewals',
    summary: "Customers whose consent rests on an outdated notice of a purpose: ask them again (CON-2)",
    description:
      'Customers whose consent to the purpose rests on an older notice version than the current one: the ones to ask again (CON-2).',
    roles: ['admin', 'dpo', 'agent', 'marketer'],
    query: renewalsQuery,
    responses: { 200: { description: 'A page of customers to ask again', schema: renewalsSchema }, ...problems, 404: { description: 'No such purpose' } },
  },
});
