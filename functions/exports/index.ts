import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createExportsHandler } from './handler.js';

/** Lambda entry point of the exports context. */
const observability = await createObservability('exports');
const config = configFromEnv();
const container = createContainer(config, { instrument: instrumentWith(observability) });
export const handler = createExportsHandler(container, { ...observability, corsOrigins: config.corsOrigins });
