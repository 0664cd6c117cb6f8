import type { Actor } from '../../shared/platform/access/index.js';
import type { Incident } from '../../shared/contexts/incidents/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { incidentRoutes } from './routes.js';

type Services = Pick<Container, 'incidents' | 'incidentScopes' | 'incidentNotifications' | 'incidentReports'>;

const withEtag = (incident: Incident, status = 200, extra: Record<string, string> = {}) => ({ status, body: incident, headers: { etag: `"${incident.version}"`, ...extra } });
const page = (query: { limit?: number | undefined; cursor?: string | undefined }) => ({ ...(query.limit !== undefined ? { limit: query.limit } : {}), ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) });

export function incidentOperations(container: Services): Operations<typeof incidentRoutes> {
  const { incidents, incidentScopes, incidentNotifications, incidentReports } = container;
  const as = (actor: Actor) => ({ actor, purpose: 'breach-response' });
  return {
    createIncident: async ({ body, actor, idempotencyKey }) => {
      const incident = await incidents.create(body, as(actor), idempotencyKey);
      return withEtag(incident, 201, { location: `/v1/incidents/${incident.id}` });
    },
    listIncidents: async ({ query, actor }) => {
      const { drill, status, ...rest } = query;
      const filters = { ...(status ? { status } : {}), ...(drill !== undefined ? { drill: drill === 'true' } : {}), ...page(rest) };
      return { status: 200, body: await incidents.list(filters, as(actor)) };
    },
    getIncident: async ({ params, actor }) => withEtag(await incidents.get(params.id, as(actor))),
    transitionIncident: async ({ params, body, actor, ifMatch }) => withEtag(await incidents.transition(params.id, body, as(actor), ifMatch)),
    startIncidentScope: async ({ params, body, actor }) => ({ status: 202, body: await incidentScopes.start(params.id, body, as(actor)) }),
    listIncidentAffected: async ({ params, query, actor }) => ({ status: 200, body: await incidentScopes.affected(params.id, page(query), as(actor)) }),
    changeIncidentDeadline: async ({ params, body, actor }) => withEtag(await incidents.changeDeadline(params.id, params.obligation, body, as(actor))),
    addIncidentStep: async ({ params, body, actor }) => withEtag(await incidents.addStep(params.id, body, as(actor)), 201),
    updateIncidentStep: async ({ params, body, actor, ifMatch }) => withEtag(await incidents.updateStep(params.id, params.stepId, body, as(actor), ifMatch)),
    getIncidentReport: async ({ params, actor }) => ({ status: 200, body: await incidentReports.build(params.id, params.jurisdiction, as(actor)) }),
    recordIncidentSubmission: async ({ params, body, actor }) => ({ status: 201, body: await incidentReports.submit(params.id, params.jurisdiction, body, as(actor)) }),
    getIncidentNotifications: async ({ params, query, actor }) => {
      // The page first: it answers 404 for an unknown incident and records the read.
      const notices = await incidentNotifications.list(params.id, { ...(query.state ? { state: query.state } : {}), ...page(query) }, as(actor));
      const progress = await incidentNotifications.progress(params.id);
      return { status: 200, body: { progress, ...notices } };
    },
  };
}

export const createIncidentsHandler = (container: Services, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(incidentRoutes, incidentOperations(container), options);
