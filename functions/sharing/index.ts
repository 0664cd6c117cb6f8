import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createSharingHandler } from './handler.js';

/** Lambda entry point of the sharing context. */
const observability = await createObservability('sharing');
const config = configFromEnv();
const container = createContainer(config, { instrument: instrumentWith(observability) });
export const handler = createSharingHandler(container, { ...observability, corsOrigins: config.corsOrigins });
