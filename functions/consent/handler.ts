import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { consentRoutes } from './routes.js';

export function consentOperations({ consent }: Pick<Container, 'consent'>): Operations<typeof consentRoutes> {
  return {
    listPurposes: async () => ({ status: 200, body: { items: await consent.listPurposes() } }),
    getPurpose: async ({ params }) => {
      const purpose = await consent.purpose(params.purposeId);
      return { status: 200, body: purpose, headers: { etag: `"${purpose.version}"` } };
    },
    putPurpose: async ({ params, body, ifMatch, actor }) => {
      const { purpose, created } = await consent.putPurpose(params.purposeId, body, ifMatch, { actor, purpose: 'administration' });
      return { status: created ? 201 : 200, body: purpose, headers: { etag: `"${purpose.version}"` } };
    },
    listConsents: async ({ params, actor }) => ({ status: 200, body: await consent.consents(params.id, { actor, purpose: 'service' }) }),
    recordConsent: async ({ params, body, actor }) => ({ status: 201, body: await consent.record(params.id, body, { actor, purpose: 'service' }) }),
    consentRenewals: async ({ query, actor }) => ({
      status: 200,
      body: await consent.renewals(query.purposeId, { actor, purpose: 'consent-renewal' }, query),
    }),
  };
}

export const createConsentHandler = (container: Pick<Container, 'consent'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(consentRoutes, consentOperations(container), options);
