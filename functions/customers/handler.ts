import { canSeeContacts, resolveView, type CustomerRecord } from '../../shared/customers/index.js';
import { ForbiddenError } from '../../shared/errors/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { customerRoutes } from './routes.js';

const withEtag = (customer: CustomerRecord, status = 200, extra: Record<string, string> = {}) => ({
  status,
  body: customer,
  headers: { etag: `"${customer.version}"`, ...extra },
});

export function customerOperations({ customers }: Container): Operations<typeof customerRoutes> {
  return {
    createCustomer: async ({ body, actor, idempotencyKey }) => {
      const { customer, replayed } = await customers.create(body, actor, resolveView(actor.role).view, idempotencyKey);
      return withEtag(customer, 201, { location: `/v1/customers/${customer.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
    },
    listCustomers: async ({ query, actor }) => {
      // A lookup by contact would tell a role that may not see contacts whether one exists.
      if ((query.email !== undefined || query.phone !== undefined) && !canSeeContacts(actor.role)) {
        throw new ForbiddenError('Your role may not look customers up by contact.', query.email !== undefined ? 'email' : 'phone');
      }
      return { status: 200, body: await customers.list(query, resolveView(actor.role, query.purpose).view) };
    },
    getCustomer: async ({ params, query, actor }) =>
      withEtag(await customers.get(params.id, resolveView(actor.role, query.purpose).view)),
    updateCustomer: async ({ params, query, body, actor, ifMatch }) =>
      withEtag(await customers.update(params.id, body, ifMatch!, actor, resolveView(actor.role, query.purpose).view)),
    customerHistory: async ({ params, query }) => ({ status: 200, body: await customers.history(params.id, query) }),
    verifyCustomer: async ({ params, body, actor }) => ({ status: 201, body: await customers.verify(params.id, body, actor) }),
  };
}

export const createCustomersHandler = (container: Container, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(customerRoutes, customerOperations(container), options);
