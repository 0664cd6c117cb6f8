import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { requestRoutes } from './routes.js';

export function requestOperations({ requests, erasure, erasures }: Pick<Container, 'requests' | 'erasure' | 'erasures'>): Operations<typeof requestRoutes> {
  const as = (actor: Parameters<typeof requests.get>[1]['actor']) => ({ actor, purpose: 'data-subject-request' });
  return {
    createRequest: async ({ body, actor }) => ({ status: 201, body: await requests.create(body, as(actor)) }),
    listRequests: async ({ query, actor }) => ({ status: 200, body: await requests.list(query, as(actor)) }),
    getRequest: async ({ params, actor }) => ({ status: 200, body: await requests.get(params.id, as(actor)) }),
    transitionRequest: async ({ params, body, actor }) => ({ status: 200, body: await requests.transition(params.id, body, as(actor)) }),
    listCertificates: async ({ query }) => ({
      status: 200,
      body: await erasure.certificates({ limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) }),
    }),
    listErasures: async ({ query, actor }) => ({ status: 200, body: await erasures.list(query, { actor, purpose: 'erasure' }) }),
    retryErasure: async ({ params, actor }) => ({ status: 202, body: await erasures.retry(params.id, { actor, purpose: 'erasure' }) }),
    exportRequest: async ({ params, actor }) => ({
      status: 200,
      body: await requests.export(params.id, as(actor)),
      headers: { 'content-disposition': `attachment; filename="kehu-export-${params.id}.json"` },
    }),
  };
}

export const createRequestsHandler = (container: Pick<Container, 'requests' | 'erasure' | 'erasures'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(requestRoutes, requestOperations(container), options);
