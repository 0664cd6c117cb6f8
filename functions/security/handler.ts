import type { Actor } from '../../shared/platform/access/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { securityRoutes } from './routes.js';

type Services = Pick<Container, 'securityFindings'>;

export function securityOperations({ securityFindings }: Services): Operations<typeof securityRoutes> {
  const as = (actor: Actor) => ({ actor, purpose: 'breach-response' });
  return {
    listSecurityFindings: async ({ query, actor }) => ({ status: 200, body: await securityFindings.list(query, as(actor)) }),
  };
}

export const createSecurityHandler = (container: Services, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(securityRoutes, securityOperations(container), options);
