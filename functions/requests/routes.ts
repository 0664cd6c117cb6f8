import {
  createRequestSchema,
  listRequestsQuery,
  requestIdParams,
  requestPageSchema,
  requestSchema,
  subjectExportSchema,
  transitionSchema,
  certificatePageSchema,
} from '../../shared/requests/index.js';
import { pageQuery } from '../../shared/customers/index.js';
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
    summary: 'Register a data-subject request; its legal deadline follows from type and jurisdiction',
    roles: ['admin', 'dpo', 'agent'],
    body: createRequestSchema,
    responses: { 201: { description: 'Registered', schema: requestSchema }, ...problems, 404: { description: 'No such customer' } },
  },
  listRequests: {
    method: 'GET',
    path: '/v1/requests',
    context,
    summary: 'Requests, newest first, by status or customer; `overdue=true` for open requests past their deadline',
    roles: ['admin', 'dpo', 'agent'],
    query: listRequestsQuery,
    responses: { 200: { description: 'A page of requests', schema: requestPageSchema }, ...problems },
  },
  getRequest: {
    method: 'GET',
    path: '/v1/requests/{id}',
    context,
    summary: 'One request with its transitions',
    roles: ['admin', 'dpo', 'agent'],
    params: requestIdParams,
    responses: { 200: { description: 'The request', schema: requestSchema }, ...problems, 404: { description: 'No such request' } },
  },
  transitionRequest: {
    method: 'POST',
    path: '/v1/requests/{id}/transitions',
    context,
    summary: 'verify-identity (staff), approve, reject with a reason, complete (DPO)',
    roles: ['admin', 'dpo', 'agent'],
    params: requestIdParams,
    body: transitionSchema,
    responses: {
      200: { description: 'The request in its new status', schema: requestSchema },
      ...problems,
      404: { description: 'No such request' },
      409: { description: 'The action does not apply to the request in its status' },
      412: { description: 'The request changed meanwhile' },
    },
  },
  listCertificates: {
    method: 'GET',
    path: '/v1/destruction-certificates',
    context,
    summary: 'What was destroyed, for whom (pseudonymous), why, how, by whom and when (RET-3)',
    roles: ['admin', 'dpo', 'auditor'],
    query: pageQuery,
    responses: { 200: { description: 'Certificates, newest first', schema: certificatePageSchema }, ...problems },
  },
  exportRequest: {
    method: 'GET',
    path: '/v1/requests/{id}/export',
    download: true,
    context,
    summary: 'The machine-readable copy of everything held about the customer, for an approved access request',
    roles: ['admin', 'dpo'],
    params: requestIdParams,
    responses: { 200: { description: 'The export', schema: subjectExportSchema }, ...problems, 404: { description: 'No such request' }, 409: { description: 'Not an approved access request' } },
  },
});
