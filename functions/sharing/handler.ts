import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { sharingRoutes } from './routes.js';

export function sharingOperations({ sharing }: Pick<Container, 'sharing'>): Operations<typeof sharingRoutes> {
  return {
    createPartner: async ({ body, actor }) => ({ status: 201, body: await sharing.createPartner(body, { actor, purpose: 'administration' }) }),
    listPartners: async () => ({ status: 200, body: { items: await sharing.partners() } }),
    createShare: async ({ body, actor }) => ({ status: 201, body: await sharing.share(body, { actor, purpose: body.purposeId }) }),
    listShares: async ({ query }) => ({ status: 200, body: await sharing.shares(query.partnerId, query) }),
  };
}

export const createSharingHandler = (container: Pick<Container, 'sharing'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(sharingRoutes, sharingOperations(container), options);
