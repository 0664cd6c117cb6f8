import { awsAuditAnchor } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { customersOf } from '../../shared/runtime/services/customers.js';
import { erasuresOf } from '../../shared/runtime/services/erasure.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { retentionOf } from '../../shared/runtime/services/retention.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createJobsHandler } from './handler.js';

/** Lambda entry point of the scheduled-jobs consumer (SQS). */
const observability = await createObservability('jobs');
const config = configFromEnv();
const instrument = instrumentWith(observability);
// The audit checkpoint job adds checkpoints to the bucket.
const container = composeContainer(config, { instrument, ...awsAuditAnchor(config, instrument) }, (w) => ({
  customers: customersOf(w),
  requests: requestsOf(w),
  retention: retentionOf(w),
  erasures: erasuresOf(w),
}));
export const handler = createJobsHandler(container, observability);
