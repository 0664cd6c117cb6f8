import { complaintIdParams, customerComplaintPageSchema, customerComplaintSchema, selfComplaintSchema, selfComplaintsQuery } from '../../shared/contexts/complaints/index.js';
import { consentStateSchema, recordConsentSchema } from '../../shared/contexts/consent/index.js';
import { requestSchema, selfRequestSchema, subjectExportSchema } from '../../shared/contexts/requests/index.js';
import { challengeSchema, createSessionSchema, requestCodeSchema, sessionSchema } from '../../shared/contexts/self-service/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'self';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid customer token, or a wrong or expired code' },
};
/** A token outlives an erasure by up to its 15 minutes: the record it names is gone. */
const erased = { 404: { description: "The customer's record no longer exists (erased)" } };

/** Customer self-service (DSR-1, DSR-2 to DSR-5 by request, CON-1): one's own data, with one's own token. */
export const selfRoutes = defineRoutes({
  requestCode: {
    method: 'POST',
    path: '/v1/self/verification',
    context,
    operationId: 'requestSelfServiceCode',
    summary: 'Ask for a one-time code sent to an email or phone on file; the answer is the same whether or not it is',
    description:
      'Sends a one-time code to the email or phone if it belongs to a customer. The answer is the same either way, so it tells no one whether a contact is on file.',
    roles: 'public',
    body: requestCodeSchema,
    responses: { 202: { description: 'A challenge to answer with the code', schema: challengeSchema }, 400: problems[400] },
  },
  createSession: {
    method: 'POST',
    path: '/v1/self/session',
    context,
    operationId: 'createSelfServiceSession',
    summary: 'Trade the code for a customer token (15 minutes); 5 wrong codes end the challenge',
    description: 'Trades the code for a customer token valid for 15 minutes; five wrong codes end the challenge.',
    roles: 'public',
    body: createSessionSchema,
    responses: { 201: { description: 'The token', schema: sessionSchema }, ...problems, 429: { description: 'Too many wrong codes' } },
  },
  selfData: {
    method: 'GET',
    path: '/v1/self/data',
    context,
    operationId: 'getSelfData',
    summary: "The customer's own record, consents and interactions",
    description: "The customer's own record, consents and interactions.",
    roles: 'customer',
    responses: { 200: { description: 'Their data', schema: subjectExportSchema }, ...problems, ...erased },
  },
  selfExport: {
    method: 'GET',
    path: '/v1/self/export',
    download: true,
    context,
    operationId: 'getSelfExport',
    summary: 'Everything held about the customer, as one machine-readable JSON document (portability)',
    description:
      'Everything held about the customer as one JSON document to download and take elsewhere (portability). A large one answers 303 with a link.',
    roles: 'customer',
    responses: {
      200: { description: 'The export', schema: subjectExportSchema, headers: { 'Content-Disposition': 'required' } },
      ...problems,
      ...erased,
    },
  },
  selfConsent: {
    method: 'POST',
    path: '/v1/self/consents',
    context,
    operationId: 'recordSelfConsent',
    summary: "Give or withdraw one's own consent for a purpose",
    description: "Gives or withdraws the customer's own consent to a purpose, recorded with the self-service channel.",
    roles: 'customer',
    body: recordConsentSchema,
    responses: { 201: { description: 'Recorded', schema: consentStateSchema }, ...problems, 404: { description: "No such purpose, or the customer's record no longer exists (erased)" }, 409: { description: 'Outdated notice' } },
  },
  selfRequest: {
    method: 'POST',
    path: '/v1/self/requests',
    context,
    operationId: 'createSelfRequest',
    summary: 'Make a data-subject request (access, rectify, erase, restrict, object); staff verify and act on it',
    description:
      'Registers a data-subject request from the customer; staff verify it and act on it within its legal deadline.',
    roles: 'customer',
    body: selfRequestSchema,
    responses: { 201: { description: 'Registered', schema: requestSchema }, ...problems, ...erased },
  },
  selfCreateComplaint: {
    method: 'POST',
    path: '/v1/self/complaints',
    context,
    operationId: 'createSelfComplaint',
    summary: 'Make a complaint; it is acknowledged with its reference and when the customer will hear back',
    description:
      'Registers a complaint from the customer (channel `online-form`), with a category of the complaint policies; severity `low`, `medium` (unless chosen) or `high` (`critical` is for staff to judge). The customer is sent an acknowledgement naming its reference and when they will hear back. Send an `Idempotency-Key` to retry safely: the same key and body answer the first complaint, so a double submit makes one.',
    roles: 'customer',
    body: selfComplaintSchema,
    idempotencyKey: true,
    responses: {
      201: { description: 'Registered (or replayed for a repeated Idempotency-Key)', schema: customerComplaintSchema, headers: { 'Idempotent-Replayed': 'optional' } },
      ...problems,
      ...erased,
      422: { description: 'Idempotency-Key reused with another body' },
    },
  },
  selfListComplaints: {
    method: 'GET',
    path: '/v1/self/complaints',
    context,
    operationId: 'listSelfComplaints',
    summary: "The customer's own complaints, in no particular order",
    description: "The customer's own complaints, in no particular order, with their status, when they will hear back and how each was resolved; no staff names.",
    roles: 'customer',
    query: selfComplaintsQuery,
    responses: { 200: { description: 'A page of their complaints', schema: customerComplaintPageSchema }, ...problems },
  },
  selfGetComplaint: {
    method: 'GET',
    path: '/v1/self/complaints/{id}',
    context,
    operationId: 'getSelfComplaint',
    summary: "One of the customer's own complaints",
    description: "One of the customer's own complaints; any other id answers 404.",
    roles: 'customer',
    params: complaintIdParams,
    responses: { 200: { description: 'Their complaint', schema: customerComplaintSchema }, ...problems, 404: { description: 'The customer has no complaint with this id' } },
  },
});

