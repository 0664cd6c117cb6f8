import { roles } from '../../shared/access/index.js';
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
} from '../../shared/consent/index.js';
import { customerIdParams } from '../../shared/customers/index.js';
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
    summary: 'Processing purposes and their current privacy-notice versions',
    roles,
    responses: { 200: { description: 'All purposes', schema: purposeListSchema }, ...problems },
  },
  getPurpose: {
    method: 'GET',
    path: '/v1/purposes/{purposeId}',
    context,
    summary: 'One purpose; ETag carries its version',
    roles,
    params: purposeParams,
    responses: { 200: { description: 'The purpose', schema: purposeSchema }, ...problems, 404: { description: 'No such purpose' } },
  },
  putPurpose: {
    method: 'PUT',
    path: '/v1/purposes/{purposeId}',
    context,
    summary: 'Create or replace a purpose (If-Match to replace); a new notice version asks consenting customers again',
    roles: ['admin', 'dpo'],
    params: purposeParams,
    body: putPurposeSchema,
    ifMatch: 'optional',
    responses: {
      200: { description: 'Replaced', schema: purposeSchema },
      201: { description: 'Created', schema: purposeSchema },
      ...problems,
      412: { description: 'Stale If-Match' },
      428: { description: 'The purpose exists and If-Match is missing' },
    },
  },
  listConsents: {
    method: 'GET',
    path: '/v1/customers/{id}/consents',
    context,
    summary: "A customer's current consent per purpose and the full history",
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    responses: { 200: { description: 'Consents', schema: consentsSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  recordConsent: {
    method: 'POST',
    path: '/v1/customers/{id}/consents',
    context,
    summary: 'Give or withdraw consent for a purpose, with channel, notice version and evidence',
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
    summary: "Customers whose consent rests on an outdated notice of a purpose: ask them again (CON-2)",
    roles: ['admin', 'dpo', 'agent', 'marketer'],
    query: renewalsQuery,
    responses: { 200: { description: 'A page of customers to ask again', schema: renewalsSchema }, ...problems, 404: { description: 'No such purpose' } },
  },
});
