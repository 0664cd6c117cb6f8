import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability } from '../http/index.js';
import { createCustomersHandler } from './handler.js';

/** Lambda entry point of the customers context; wiring happens once per cold start. */
const observability = createObservability('customers');
const config = configFromEnv();
const container = createContainer(config, { instrument: (client) => observability.tracer.captureAWSv3Client(client) });
export const handler = createCustomersHandler(container, { ...observability, corsOrigins: config.corsOrigins });
