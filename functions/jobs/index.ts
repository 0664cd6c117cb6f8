import { awsAuditAnchor, awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { complaintDeadlinesOf } from '../../shared/runtime/services/complaint-escalations.js';
import { customersOf } from '../../shared/runtime/services/customers.js';
import { erasuresOf } from '../../shared/runtime/services/erasure.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { retentionOf } from '../../shared/runtime/services/retention.js';
import { incidentDeadlinesOf, incidentNotificationsOf, incidentScopesOf } from '../../shared/runtime/services/incidents.js';
import { riskFlagsOf } from '../../shared/runtime/services/risk-flags.js';
import { surveyDispatchesOf } from '../../shared/runtime/services/surveys.js';
import { lambdaOverrides } from '../http/entry.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createJobsHandler } from './handler.js';

/** Lambda entry point of the scheduled-jobs consumer (SQS). */
const observability = await createObservability('jobs');
const config = configFromEnv();
const instrument = instrumentWith(observability);
// The audit checkpoint job adds checkpoints to the bucket; the complaint deadlines retry notices to customers.
// A notice that cannot be sent is counted in NotifierErrors, as in the HTTP functions.
const container = composeContainer(config, lambdaOverrides(observability, { ...awsAuditAnchor(config, instrument), ...awsNotifier(config, instrument) }), (w) => ({
  customers: customersOf(w),
  requests: requestsOf(w),
  retention: retentionOf(w),
  erasures: erasuresOf(w),
  complaintDeadlines: complaintDeadlinesOf(w),
  surveyDispatches: surveyDispatchesOf(w),
  riskFlags: riskFlagsOf(w),
  incidentDeadlines: incidentDeadlinesOf(w),
  incidentScopes: incidentScopesOf(w),
  incidentNotifications: incidentNotificationsOf(w),
}));
export const handler = createJobsHandler(container, observability, { riskFlagHandleHours: config.riskFlagHandleHours });
