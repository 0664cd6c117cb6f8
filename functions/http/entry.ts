import { configFromEnv, createContainer, type Container, type Overrides } from '../../shared/runtime/index.js';
import type { HttpHandler, HttpHandlerOptions } from './handler.js';
import { createObservability, instrumentWith } from './observability.js';

/**
 * A context's Lambda entry point: Powertools, configuration from the environment and the
 * container, built once per cold start, then the context's HTTP handler.
 */
export async function lambdaHttpEntry(
  service: string,
  build: (container: Container, options: HttpHandlerOptions) => HttpHandler,
): Promise<HttpHandler> {
  const observability = await createObservability(service);
  const config = configFromEnv();
  const overrides: Overrides = {
    instrument: instrumentWith(observability),
    onPublishFailure: (error, events) =>
      observability.logger.error('domain events not published', { errorName: (error as Error).name, events: events.map((e) => e.type) }),
  };
  return build(createContainer(config, overrides), { ...observability, corsOrigins: config.corsOrigins });
}
