import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { retentionRoutes } from './routes.js';

export function retentionOperations({ retention }: Pick<Container, 'retention'>): Operations<typeof retentionRoutes> {
  return {
    getPolicies: async () => ({ status: 200, body: { policies: await retention.policies() } }),
    putPolicies: async ({ body, actor }) => ({
      status: 200,
      body: { policies: await retention.putPolicies(body.policies, { actor, purpose: 'administration' }) },
    }),
    runSweep: async ({ actor }) => ({ status: 200, body: await retention.sweep({ actor, purpose: 'retention' }) }),
  };
}

export const createRetentionHandler = (container: Pick<Container, 'retention'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(retentionRoutes, retentionOperations(container), options);
