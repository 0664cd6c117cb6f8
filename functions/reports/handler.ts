import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { reportRoutes } from './routes.js';

export function reportOperations({ complaintReports, improvements }: Pick<Container, 'complaintReports' | 'improvements'>): Operations<typeof reportRoutes> {
  const as = (actor: Parameters<typeof improvements.create>[1]['actor']) => ({ actor, purpose: 'complaint-improvement' });
  return {
    complaintReport: async ({ query }) => ({ status: 200, body: await complaintReports.report(query) }),
    createImprovementAction: async ({ body, actor }) => {
      const action = await improvements.create(body, as(actor));
      return { status: 201, body: action, headers: { location: `/v1/improvement-actions/${action.id}` } };
    },
    listImprovementActions: async ({ query }) => ({ status: 200, body: await improvements.list(query) }),
    getImprovementAction: async ({ params }) => ({ status: 200, body: await improvements.get(params.id) }),
    updateImprovementAction: async ({ params, body, actor }) => ({ status: 200, body: await improvements.update(params.id, body, as(actor)) }),
  };
}

export const createReportsHandler = (container: Pick<Container, 'complaintReports' | 'improvements'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(reportRoutes, reportOperations(container), options);
