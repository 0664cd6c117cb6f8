import {
  createPartnerSchema,
  createShareSchema,
  listSharesQuery,
  partnerListSchema,
  partnerSchema,
  sharePageSchema,
  shareResultSchema,
} from '../../shared/sharing/index.js';
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
    summary: 'Register a partner with its agreement reference, permitted purposes and fields',
    roles: ['admin', 'dpo'],
    body: createPartnerSchema,
    responses: { 201: { description: 'Registered', schema: partnerSchema }, ...problems, 404: { description: 'A purpose is not defined' }, 409: { description: 'The id is taken' } },
  },
  listPartners: {
    method: 'GET',
    path: '/v1/partners',
    context,
    summary: 'Partners and their agreements',
    roles: ['admin', 'dpo', 'auditor'],
    responses: { 200: { description: 'All partners', schema: partnerListSchema }, ...problems },
  },
  createShare: {
    method: 'POST',
    path: '/v1/shares',
    context,
    summary: 'Share customers\' data with a partner: recorded, and refused without agreement or consent',
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
    summary: 'Recorded shares, newest first, optionally for one partner',
    roles: ['admin', 'dpo', 'auditor'],
    query: listSharesQuery,
    responses: { 200: { description: 'A page of shares', schema: sharePageSchema }, ...problems },
  },
});
