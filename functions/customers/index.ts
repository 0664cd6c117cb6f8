import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createLogger } from '../http/index.js';
import { createCustomersHandler } from './handler.js';

/** Lambda entry point of the customers context; wiring happens once per cold start. */
const container = createContainer(configFromEnv());
export const handler = createCustomersHandler(container, {
  logger: createLogger('customers'),
  corsOrigins: container.config.corsOrigins,
});
