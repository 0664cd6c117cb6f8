import type { CustomerActor } from '../../shared/platform/access/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { selfRoutes } from './routes.js';

export function selfOperations({ self, requests, consent }: Pick<Container, 'self' | 'requests' | 'consent'>): Operations<typeof selfRoutes> {
  const own = (actor: CustomerActor) => ({ actor, purpose: 'self-service' });
  return {
    requestCode: async ({ body }) => ({ status: 202, body: await self.requestCode(body.contact) }),
    createSession: async ({ body }) => ({ status: 201, body: await self.createSession(body.challengeId, body.code) }),
    selfData: async ({ actor }) => ({ status: 200, body: await requests.subjectDocument(actor.id, own(actor)) }),
    selfExport: async ({ actor }) => ({
      status: 200,
      body: await requests.subjectDocument(actor.id, own(actor)),
      headers: { 'content-disposition': 'attachment; filename="my-kehu-data.json"' },
    }),
    selfConsent: async ({ actor, body }) => ({ status: 201, body: await consent.record(actor.id, { ...body, channel: 'self-service' }, own(actor)) }),
    selfRequest: async ({ actor, body }) => ({
      status: 201,
      body: await requests.create({ ...body, customerId: actor.id, channel: 'self-service' }, own(actor)),
    }),
  };
}

/** Customer routes verify the customer's own token here; API Gateway's authorizer is for staff. */
export const createSelfHandler = (container: Pick<Container, 'self' | 'requests' | 'consent'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(selfRoutes, selfOperations(container), {
    ...options,
    authenticateCustomer: (authorization, requestId) => container.self.authenticate(authorization, requestId),
  });
