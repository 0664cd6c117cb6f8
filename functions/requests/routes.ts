import {
  createRequestSchema,
  listRequestsQuery,
  requestIdParams,
  requestPageSchema,
  requestSchema,
  subjectExportSchema,
  transitionSchema,
  certificatePageSchema,
} from '../../shared/contexts/requests/index.js';
import { pageQuery } from '../../shared/contexts/customers/index.js';
import { erasureIdParams, erasureRunPageSchema, erasureRunSchema, listErasuresQuery } from '../../shared/contexts/erasure/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'requests';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route or take this action' },
};

/** Data-subject requests (DSR-1 to DSR-5). */
export const requestRoutes = defineRoutes({
  createRequest: {
    method: 'POST',
    path: '/v1/requests',
    context,
    operationId: 'createRequest',
    summary: 'Register a data-subject request; its legal deadline follows from type and jurisdiction',
    description:
      "Registers a customer's request (access, rectify, erase, restrict, object) received by staff; its legal deadline follows from its type and the customer's jurisdiction (DSR-1).",
    roles: ['admin', 'dpo', 'agent'],
    body: createRequestSchema,
    responses: { 201: { description: 'Registered', schema: requestSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  listRequests: {
    method: 'GET',
    path: '/v1/requests',
    context,
    operationId: 'listRequests',
    summary: 'Requests, newest first, by status or customer; `overdue=true` for open requests past their deadline',
    description:
      'Requests, newest first, by status or customer; `overdue=true` lists the open ones past their deadline.',
    roles: ['admin', 'dpo', 'agent'],
    query: listRequestsQuery,
    responses: { 200: { description: 'A page of requests', schema: requestPageSchema }, ...problems },
  },
  getRequest: {
    method: 'GET',
    path: '/v1/requests/{id}',
    context,
    operationId: 'getRequest',
    summary: 'One request with its transitions',
    description: 'One request with every transition: who moved it, when, and why.',
    roles: ['admin', 'dpo', 'agent'],
    params: requestIdParams,
    responses: { 200: { description: 'The request', schema: requestSchema }, ...problems, 404: { description: 'No such request' } },
  },
  transitionRequest: {
    method: 'POST',
    path: '/v1/requests/{id}/transitions',
    context,
    operationId: 'transitionRequest',
    summary: 'verify-identity (staff), approve, reject with a reason, complete (DPO); an approved erase request only the erasure closes',
    description:
      "Takes an action on the request: verify the requester's identity, approve, reject with a reason, or complete. Which actions apply depends on the request's type and status and on the role; a 409 says the action does not apply now. An approved erase request is closed by the erasure alone, once its destruction certificate exists: `complete` or `reject` on it answers 409 naming `action` (an erasure that does not finish is listed at `GET /v1/erasures` and retried with `POST /v1/erasures/{id}/retries`).",
    roles: ['admin', 'dpo', 'agent'],
    params: requestIdParams,
    body: transitionSchema,
    responses: {
      200: { description: 'The request in its new status', schema: requestSchema },
      ...problems,
      404: { description: 'No such request' },
      409: { description: 'The action does not apply to the request in its status, or it would close an approved erasure, which only the erasure itself completes (`field`: `action`)' },
      412: { description: 'The request changed meanwhile' },
    },
  },
  listCertificates: {
    method: 'GET',
    path: '/v1/destruction-certificates',
    context,
    operationId: 'listDestructionCertificates',
    summary: 'What was destroyed, for whom (pseudonymous), why, how, by whom and when (RET-3)',
    description:
      'One certificate per destruction: what was destroyed, for whom (by pseudonymous reference), why, how, by whom and when (RET-3).',
    roles: ['admin', 'dpo', 'auditor'],
    query: pageQuery,
    responses: { 200: { description: 'Certificates, newest first', schema: certificatePageSchema }, ...problems },
  },
  listErasures: {
    method: 'GET',
    path: '/v1/erasures',
    context,
    operationId: 'listErasures',
    summary: 'Erasures that have not finished: `state=stuck` for those unfinished an hour after they started',
    description:
      'Every erasure (of an approved erase request, or of a record whose retention ended) is listed here from its approval until its request is closed, with the step it reached and when it last made progress. `state=stuck` lists those still unfinished an hour after they started, which the ErasuresStuck alarm counts. Unfinished erasures without progress for 15 minutes are handed on again by a job every 5 minutes; `POST /v1/erasures/{id}/retries` does so at once.',
    roles: ['admin', 'dpo'],
    query: listErasuresQuery,
    responses: { 200: { description: 'A page of unfinished erasures', schema: erasureRunPageSchema }, ...problems },
  },
  retryErasure: {
    method: 'POST',
    path: '/v1/erasures/{id}/retries',
    context,
    operationId: 'retryErasure',
    summary: 'Hand an unfinished erasure on to the erasure worker again',
    description:
      'Publishes the erasure again, whatever its progress; the worker repeats any step safely and closes the request when the certificate exists. The id is the erase request id, or `<sweepId>:<customerId>` for a retention erasure, as `GET /v1/erasures` lists it. An erase request cannot be completed or rejected by hand once approved: this is the way to move a stuck one on.',
    roles: ['admin', 'dpo'],
    params: erasureIdParams,
    responses: {
      202: { description: 'Handed on; the erasure as it stands', schema: erasureRunSchema },
      ...problems,
      404: { description: 'No unfinished erasure has this id (it has closed, or never started)' },
    },
  },
  exportRequest: {
    method: 'GET',
    path: '/v1/requests/{id}/export',
    download: true,
    context,
    operationId: 'getRequestExport',
    summary: 'The machine-readable copy of everything held about the customer, for an approved access request',
    description:
      'The machine-readable copy of everything held about the customer, for an approved access request (DSR-1). A large one answers 303 with a link.',
    roles: ['admin', 'dpo'],
    params: requestIdParams,
    responses: { 200: { description: 'The export', schema: subjectExportSchema }, ...problems, 404: { description: 'No such request' }, 409: { description: 'Not an approved access request' } },
  },
});
