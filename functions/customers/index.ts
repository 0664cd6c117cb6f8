import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createCustomersHandler } from './handler.js';

/** Lambda entry point of the customers context; wiring happens once per cold start. */
const observability = await createObservability('customers');
const config = configFromEnv();
const container = createContainer(config, { instrument: instrumentWith(observability) });
export const handler = createCustomersHandler(container, { ...observability, corsOrigins: config.corsOrigins });
