import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { interactionRoutes } from './routes.js';

export function interactionOperations({ interactions }: Pick<Container, 'interactions'>): Operations<typeof interactionRoutes> {
  return {
    createInteraction: async ({ params, body, actor }) => ({
      status: 201,
      body: await interactions.create(params.id, body, { actor, purpose: 'service' }),
    }),
    listInteractions: async ({ params, query, actor }) => ({
      status: 200,
      body: await interactions.list(params.id, { actor, purpose: 'service' }, query),
    }),
  };
}

export const createInteractionsHandler = (container: Pick<Container, 'interactions'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(interactionRoutes, interactionOperations(container), options);
