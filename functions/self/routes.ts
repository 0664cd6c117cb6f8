import { consentStateSchema, recordConsentSchema } from '../../shared/consent/index.js';
import { requestSchema, selfRequestSchema, subjectExportSchema } from '../../shared/requests/index.js';
import { challengeSchema, createSessionSchema, requestCodeSchema, sessionSchema } from '../../shared/self-service/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'self';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid customer token, or a wrong or expired code' },
};

/** Customer self-service (DSR-1, DSR-2 to DSR-5 by request, CON-1): one's own data, with one's own token. */
export const selfRoutes = defineRoutes({
  requestCode: {
    method: 'POST',
    path: '/v1/self/verification',
    context,
    summary: 'Ask for a one-time code sent to an email or phone on file; the answer is the same whether or not it is',
    roles: 'public',
    body: requestCodeSchema,
    responses: { 202: { description: 'A challenge to answer with the code', schema: challengeSchema }, 400: problems[400] },
  },
  createSession: {
    method: 'POST',
    path: '/v1/self/session',
    context,
    summary: 'Trade the code for a customer token (15 minutes); 5 wrong codes end the challenge',
    roles: 'public',
    body: createSessionSchema,
    responses: { 201: { description: 'The token', schema: sessionSchema }, ...problems, 429: { description: 'Too many wrong codes' } },
  },
  selfData: {
    method: 'GET',
    path: '/v1/self/data',
    context,
    summary: 'The customer\'s own record, consents and interactions',
    roles: 'customer',
    responses: { 200: { description: 'Their data', schema: subjectExportSchema }, ...problems },
  },
  selfExport: {
    method: 'GET',
    path: '/v1/self/export',
    download: true,
    context,
    summary: 'Everything held about the customer, as one machine-readable JSON document (portability)',
    roles: 'customer',
    responses: { 200: { description: 'The export', schema: subjectExportSchema }, ...problems },
  },
  selfConsent: {
    method: 'POST',
    path: '/v1/self/consents',
    context,
    summary: 'Give or withdraw one\'s own consent for a purpose',
    roles: 'customer',
    body: recordConsentSchema,
    responses: { 201: { description: 'Recorded', schema: consentStateSchema }, ...problems, 404: { description: 'No such purpose' }, 409: { description: 'Outdated notice' } },
  },
  selfRequest: {
    method: 'POST',
    path: '/v1/self/requests',
    context,
    summary: 'Make a data-subject request (access, rectify, erase, restrict, object); staff verify and act on it',
    roles: 'customer',
    body: selfRequestSchema,
    responses: { 201: { description: 'Registered', schema: requestSchema }, ...problems },
  },
});

