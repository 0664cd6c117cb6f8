import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createInteractionsHandler } from './handler.js';

/** Lambda entry point of the interactions context. */
const observability = await createObservability('interactions');
const config = configFromEnv();
const container = createContainer(config, { instrument: instrumentWith(observability) });
export const handler = createInteractionsHandler(container, { ...observability, corsOrigins: config.corsOrigins });
