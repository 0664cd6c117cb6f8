import type { Actor } from '../../shared/platform/access/index.js';
import { canSeeContacts, resolveView, type CustomerRecord } from '../../shared/contexts/customers/index.js';
import { ForbiddenError } from '../../shared/platform/errors/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { customerRoutes } from './routes.js';

const withEtag = (customer: CustomerRecord, status = 200, extra: Record<string, string> = {}) => ({
  status,
  body: customer,
  headers: { etag: `"${customer.version}"`, ...extra },
});

/** The view a role reads with for a purpose, and the audit context naming that purpose. */
function access(actor: Actor, purpose?: string) {
  const { view, purpose: resolved } = resolveView(actor.role, purpose);
  return { view, context: { actor, purpose: resolved } };
}

export function customerOperations({ customers }: Pick<Container, 'customers'>): Operations<typeof customerRoutes> {
  return {
    createCustomer: async ({ body, actor, idempotencyKey }) => {
      const { view, context } = access(actor);
      const { customer, replayed } = await customers.create(body, context, view, idempotencyKey);
      return withEtag(customer, 201, { location: `/v1/customers/${customer.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
    },
    listCustomers: async ({ query, actor }) => {
      // A lookup by contact would tell a role that may not see contacts whether one exists.
      if ((query.email !== undefined || query.phone !== undefined) && !canSeeContacts(actor.role)) {
        throw new ForbiddenError('Your role may not look customers up by contact.', query.email !== undefined ? 'email' : 'phone');
      }
      const { view, context } = access(actor, query.purpose);
      return { status: 200, body: await customers.list(query, context, view) };
    },
    getCustomer: async ({ params, query, actor }) => {
      const { view, context } = access(actor, query.purpose);
      return withEtag(await customers.get(params.id, context, view));
    },
    updateCustomer: async ({ params, query, body, actor, ifMatch }) => {
      const { view, context } = access(actor, query.purpose);
      return withEtag(await customers.update(params.id, body, ifMatch!, context, view));
    },
    customerHistory: async ({ params, query, actor }) => ({
      status: 200,
      body: await customers.history(params.id, { actor, purpose: 'audit' }, query),
    }),
    verifyCustomer: async ({ params, body, actor }) => ({
      status: 201,
      body: await customers.verify(params.id, body, { actor, purpose: 'verification' }),
    }),
  };
}

export const createCustomersHandler = (container: Pick<Container, 'customers'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(customerRoutes, customerOperations(container), options);
