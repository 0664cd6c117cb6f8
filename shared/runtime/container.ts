import type { Config } from './config.js';
import { composeContainer, type Container, type ServiceName, type ServicesOf } from './compose.js';
import { complaintAnnouncerOf, complaintDeadlinesOf } from './services/complaint-escalations.js';
import { complaintPoliciesOf } from './services/complaint-policies.js';
import { complaintsOf } from './services/complaints.js';
import { consentOf } from './services/consent.js';
import { customersOf } from './services/customers.js';
import { erasureOf, erasuresOf, subjectsOf } from './services/erasure.js';
import { exportsOf } from './services/exports.js';
import { incidentDeadlinesOf, incidentNotificationsOf, incidentReportsOf, incidentScopesOf, incidentsOf } from './services/incidents.js';
import { interactionsOf } from './services/interactions.js';
import { complaintReportsOf, improvementsOf } from './services/reports.js';
import { requestsOf } from './services/requests.js';
import { retentionOf } from './services/retention.js';
import { riskFlagsOf } from './services/risk-flags.js';
import { accessDetectorOf, securityFindingsOf } from './services/security.js';
import { selfOf } from './services/self.js';
import { sharingOf } from './services/sharing.js';
import { surveyDispatchesOf, surveyResponsesOf, surveyResultsOf, surveysOf } from './services/surveys.js';
import type { Overrides } from './wiring.js';

export { composeContainer, type Container, type Foundation, type ServiceName, type ServicesOf } from './compose.js';
export { createDynamoClient, type Overrides } from './wiring.js';

/** Every service: the local runtime (one per function), tests and benchmarks. */
export const allServices: ServicesOf<ServiceName> = (w) => ({
  subjects: subjectsOf(w),
  customers: customersOf(w),
  interactions: interactionsOf(w),
  consent: consentOf(w),
  exports: exportsOf(w),
  sharing: sharingOf(w),
  requests: requestsOf(w),
  erasure: erasureOf(w),
  erasures: erasuresOf(w),
  retention: retentionOf(w),
  self: selfOf(w),
  complaints: complaintsOf(w),
  complaintPolicies: complaintPoliciesOf(w),
  complaintDeadlines: complaintDeadlinesOf(w),
  complaintAnnouncer: complaintAnnouncerOf(w),
  complaintReports: complaintReportsOf(w),
  improvements: improvementsOf(w),
  riskFlags: riskFlagsOf(w),
  surveys: surveysOf(w),
  surveyDispatches: surveyDispatchesOf(w),
  surveyResponses: surveyResponsesOf(w),
  surveyResults: surveyResultsOf(w),
  incidents: incidentsOf(w),
  incidentScopes: incidentScopesOf(w),
  incidentNotifications: incidentNotificationsOf(w),
  incidentReports: incidentReportsOf(w),
  incidentDeadlines: incidentDeadlinesOf(w),
  accessDetector: accessDetectorOf(w),
  securityFindings: securityFindingsOf(w),
});

export function createContainer(config: Config, overrides: Overrides = {}): Container {
  return composeContainer(config, overrides, allServices);
}
