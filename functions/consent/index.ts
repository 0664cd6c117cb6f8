import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createConsentHandler } from './handler.js';

/** Lambda entry point of the consent context. */
const observability = await createObservability('consent');
const config = configFromEnv();
const container = createContainer(config, {
  instrument: instrumentWith(observability),
  onPublishFailure: (error, events) =>
    observability.logger.error('domain events not published', { errorName: (error as Error).name, events: events.map((e) => e.type) }),
});
export const handler = createConsentHandler(container, { ...observability, corsOrigins: config.corsOrigins });
