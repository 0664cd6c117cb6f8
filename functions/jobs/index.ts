import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability } from '../http/index.js';
import { createJobsHandler } from './handler.js';

/** Lambda entry point of the scheduled-jobs consumer (SQS). */
const observability = createObservability('jobs');
const container = createContainer(configFromEnv(), { instrument: (client) => observability.tracer.captureAWSv3Client(client) });
export const handler = createJobsHandler(container, observability);
