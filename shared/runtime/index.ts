export { configFromEnv, ConfigError, type Config } from './config.js';
export { createContainer, createDynamoClient, type Container, type Overrides } from './container.js';
