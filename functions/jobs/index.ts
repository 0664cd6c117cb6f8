import { awsAuditAnchor } from '../../shared/runtime/aws-adapters.js';
import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createJobsHandler } from './handler.js';

/** Lambda entry point of the scheduled-jobs consumer (SQS). */
const observability = await createObservability('jobs');
const config = configFromEnv();
const instrument = instrumentWith(observability);
// The audit checkpoint job adds checkpoints to the bucket.
const container = createContainer(config, { instrument, ...awsAuditAnchor(config, instrument) });
export const handler = createJobsHandler(container, observability);
