import {
  createPartnerSchema,
  createShareSchema,
  listSharesQuery,
  partnerListSchema,
  partnerSchema,
  sharePageSchema,
  shareResultSchema,
} from '../../shared/contexts/sharing/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'sharing';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route, or the agreement does not cover the purpose or a field' },
};

/** Partners with agreements, and recorded shares (CON-4). */
export const sharingRoutes = defineRoutes({
  createPartner: {
    method: 'POST',
    path: '/v1/partners',
    context,
    operationId: 'createPartner',
    summary: 'Register a partner with its agreement reference, permitted purposes and fields',
    description:
      'Registers a partner with its agreement reference and validity, and the purposes and fields the agreement covers.',
    roles: ['admin', 'dpo'],
    body: createPartnerSchema,
    responses: { 201: { description: 'Registered', schema: partnerSchema }, ...problems, 404: { description: 'A purpose is not defined' }, 409: { description: 'The id is taken' } },
  },
  listPartners: {
    method: 'GET',
    path: '/v1/partners',
    context,
    operationId: 'listPartners',
    summary: 'Partners and their agreements',
    description: 'Every partner with its agreement.',
    roles: ['admin', 'dpo', 'auditor'],
    responses: { 200: { description: 'All partners', schema: partnerListSchema }, ...problems },
  },
  createShare: {
    method: 'POST',
    path: '/v1/shares',
    context,
    operationId: 'createShare',
    summary: "Share customers' data with a partner: recorded, and refused without agreement or consent",
    description:
      "Shares the named customers' fields with a partner for a purpose. Refused unless the agreement is valid and covers the purpose and fields, and every customer consents; the share is recorded and the fields answered for transfer (CON-4).",
    roles: ['admin', 'dpo'],
    body: createShareSchema,
    responses: {
      201: { description: 'Recorded; the shared fields for transfer', schema: shareResultSchema },
      ...problems,
      404: { description: 'No such partner or purpose' },
      409: { description: 'No valid agreement, or a customer without current consent (named by index)' },
    },
  },
  listShares: {
    method: 'GET',
    path: '/v1/shares',
    context,
    operationId: 'listShares',
    summary: 'Recorded shares, newest first, optionally for one partner',
    description: 'Recorded shares, newest first; `partnerId` narrows them to one partner.',
    roles: ['admin', 'dpo', 'auditor'],
    query: listSharesQuery,
    responses: { 200: { description: 'A page of shares', schema: sharePageSchema }, ...problems },
  },
});
