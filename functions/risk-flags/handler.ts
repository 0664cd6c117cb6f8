import type { Actor } from '../../shared/platform/access/index.js';
import type { RiskFlag } from '../../shared/contexts/risk-flags/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { riskFlagRoutes } from './routes.js';

type Services = Pick<Container, 'riskFlags'>;

const withEtag = (flag: RiskFlag) => ({ status: 200, body: flag, headers: { etag: `"${flag.version}"` } });

export function riskFlagOperations(container: Services): Operations<typeof riskFlagRoutes> {
  const { riskFlags } = container;
  const as = (actor: Actor) => ({ actor, purpose: 'survey' });
  return {
    listRiskFlags: async ({ query, actor }) => ({ status: 200, body: await riskFlags.list(query, as(actor)) }),
    getRiskFlag: async ({ params, actor }) => withEtag(await riskFlags.get(params.id, as(actor))),
    transitionRiskFlag: async ({ params, body, actor, ifMatch }) => withEtag(await riskFlags.transition(params.id, body, as(actor), ifMatch)),
    listCustomerRiskFlags: async ({ params, query, actor }) => ({ status: 200, body: await riskFlags.ofCustomer(params.id, as(actor), query) }),
  };
}

export const createRiskFlagsHandler = (container: Services, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(riskFlagRoutes, riskFlagOperations(container), options);
