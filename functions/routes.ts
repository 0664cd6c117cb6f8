import { auditRoutes } from './audit/routes.js';
import { consentRoutes } from './consent/routes.js';
import { exportRoutes } from './exports/routes.js';
import { sharingRoutes } from './sharing/routes.js';
import { requestRoutes } from './requests/routes.js';
import { complaintRoutes } from './complaints/routes.js';
import { reportRoutes } from './reports/routes.js';
import { retentionRoutes } from './retention/routes.js';
import { selfRoutes } from './self/routes.js';
import { surveyRoutes } from './surveys/routes.js';
import { customerRoutes } from './customers/routes.js';
import { interactionRoutes } from './interactions/routes.js';
import { riskFlagRoutes } from './risk-flags/routes.js';
import { incidentRoutes } from './incidents/routes.js';
import { securityRoutes } from './security/routes.js';
import type { RouteSpec } from './http/route.js';
import { platformRoutes } from './platform/routes.js';

/**
 * The one route table: every route, its roles and the function that serves it. The
 * OpenAPI document, the local runtime, the CDK API and the authorization tests read it.
 */
export const routeTable: readonly RouteSpec[] = [
  ...Object.values(platformRoutes),
  ...Object.values(customerRoutes),
  ...Object.values(interactionRoutes),
  ...Object.values(consentRoutes),
  ...Object.values(exportRoutes),
  ...Object.values(sharingRoutes),
  ...Object.values(requestRoutes),
  ...Object.values(complaintRoutes),
  ...Object.values(riskFlagRoutes),
  ...Object.values(reportRoutes),
  ...Object.values(retentionRoutes),
  ...Object.values(selfRoutes),
  ...Object.values(surveyRoutes),
  ...Object.values(incidentRoutes),
  ...Object.values(securityRoutes),
  ...Object.values(auditRoutes),
];

export const apiVersion = '0.1.0';
