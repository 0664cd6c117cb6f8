import type { Container } from '../shared/runtime/index.js';
import { createAuditHandler } from './audit/handler.js';
import { createConsentHandler } from './consent/handler.js';
import { createExportsHandler } from './exports/handler.js';
import { createSharingHandler } from './sharing/handler.js';
import { createRequestsHandler } from './requests/handler.js';
import { createComplaintsHandler } from './complaints/handler.js';
import { createReportsHandler } from './reports/handler.js';
import { createRetentionHandler } from './retention/handler.js';
import { createSelfHandler } from './self/handler.js';
import { createSurveysHandler } from './surveys/handler.js';
import { createCustomersHandler } from './customers/handler.js';
import { createInteractionsHandler } from './interactions/handler.js';
import { createRiskFlagsHandler } from './risk-flags/handler.js';
import { createIncidentsHandler } from './incidents/handler.js';
import { createSecurityHandler } from './security/handler.js';
import { createObservability, type HttpHandler } from './http/index.js';
import { httpOptions } from './http/entry.js';
import { createPlatformHandler } from './platform/handler.js';

/**
 * Every context's HTTP handler, built from one container: what the local runtime serves.
 * In AWS each context's `index.ts` builds just its own.
 */
export async function createHandlers(container: Container): Promise<Record<string, HttpHandler>> {
  const options = async (name: string) => httpOptions(container, await createObservability(name));
  return {
    platform: createPlatformHandler(await options('platform')),
    customers: createCustomersHandler(container, await options('customers')),
    interactions: createInteractionsHandler(container, await options('interactions')),
    consent: createConsentHandler(container, await options('consent')),
    exports: createExportsHandler(container, await options('exports')),
    sharing: createSharingHandler(container, await options('sharing')),
    requests: createRequestsHandler(container, await options('requests')),
    complaints: createComplaintsHandler(container, await options('complaints')),
    'risk-flags': createRiskFlagsHandler(container, await options('risk-flags')),
    reports: createReportsHandler(container, await options('reports')),
    retention: createRetentionHandler(container, await options('retention')),
    self: createSelfHandler(container, await options('self')),
    surveys: createSurveysHandler(container, await options('surveys')),
    incidents: createIncidentsHandler(container, await options('incidents')),
    security: createSecurityHandler(container, await options('security')),
    audit: createAuditHandler(container, await options('audit')),
  };
}
