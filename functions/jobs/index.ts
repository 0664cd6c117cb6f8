import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createJobsHandler } from './handler.js';

/** Lambda entry point of the scheduled-jobs consumer (SQS). */
const observability = await createObservability('jobs');
const container = createContainer(configFromEnv(), { instrument: instrumentWith(observability) });
export const handler = createJobsHandler(container, observability);
