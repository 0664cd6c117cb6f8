import type { CustomerActor } from '../../shared/platform/access/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { customerView } from '../../shared/contexts/complaints/index.js';
import { selfRoutes } from './routes.js';

export function selfOperations({ self, requests, consent, complaints }: Pick<Container, 'self' | 'requests' | 'consent' | 'complaints'>): Operations<typeof selfRoutes> {
  const own = (actor: CustomerActor) => ({ actor, purpose: 'self-service' });
  return {
    requestCode: async ({ body }) => ({ status: 202, body: await self.requestCode(body.contact) }),
    createSession: async ({ body, sourceIp }) => ({ status: 201, body: await self.createSession(body.challengeId, body.code, sourceIp) }),
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
    selfCreateComplaint: async ({ actor, body, idempotencyKey }) => {
      const input = { ...body, severity: body.severity ?? 'medium', customerId: actor.id, channel: 'online-form' } as const;
      const { complaint, replayed } = await complaints.create(input, own(actor), idempotencyKey);
      return { status: 201, body: customerView(complaint), ...(replayed ? { headers: { 'idempotent-replayed': 'true' } } : {}) };
    },
    selfListComplaints: async ({ actor, query }) => ({ status: 200, body: await complaints.ofCustomer(actor.id, own(actor), query) }),
    selfGetComplaint: async ({ actor, params }) => ({ status: 200, body: await complaints.forCustomer(actor.id, params.id, own(actor)) }),
  };
}

/** Customer routes verify the customer's own token here; API Gateway's authorizer is for staff. */
export const createSelfHandler = (container: Pick<Container, 'self' | 'requests' | 'consent' | 'complaints'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(selfRoutes, selfOperations(container), {
    ...options,
    authenticateCustomer: (authorization, requestId) => container.self.authenticate(authorization, requestId),
  });
