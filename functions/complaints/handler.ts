import type { Actor } from '../../shared/platform/access/index.js';
import type { Complaint } from '../../shared/contexts/complaints/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { complaintPolicyOperations } from './policy-routes.js';
import { complaintRoutes } from './routes.js';

type Services = Pick<Container, 'complaints' | 'complaintPolicies'>;

const withEtag = (complaint: Complaint, status = 200, extra: Record<string, string> = {}) => ({
  status,
  body: complaint,
  headers: { etag: `"${complaint.version}"`, ...extra },
});

export function complaintOperations(container: Services): Operations<typeof complaintRoutes> {
  const { complaints } = container;
  const as = (actor: Actor) => ({ actor, purpose: 'complaint-handling' });
  return {
    createComplaint: async ({ body, actor, idempotencyKey }) => {
      const { complaint, replayed } = await complaints.create(body, as(actor), idempotencyKey);
      return withEtag(complaint, 201, { location: `/v1/complaints/${complaint.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
    },
    listComplaints: async ({ query, actor }) => ({ status: 200, body: await complaints.list(query, as(actor)) }),
    getComplaint: async ({ params, actor }) => withEtag(await complaints.get(params.id, as(actor))),
    transitionComplaint: async ({ params, body, actor, ifMatch }) => withEtag(await complaints.transition(params.id, body, as(actor), ifMatch)),
    ...complaintPolicyOperations(container),
  };
}

export const createComplaintsHandler = (container: Services, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(complaintRoutes, complaintOperations(container), options);
