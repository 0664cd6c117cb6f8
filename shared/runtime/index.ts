export { configFromEnv, ConfigError, type Config } from './config.js';
export {
  allServices,
  composeContainer,
  createContainer,
  createDynamoClient,
  type Container,
  type Foundation,
  type Overrides,
  type ServiceName,
  type ServicesOf,
} from './container.js';
export type { Wiring } from './wiring.js';
