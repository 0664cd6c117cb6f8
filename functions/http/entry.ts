import { configFromEnv, createContainer, type Config, type Container, type Overrides } from '../../shared/runtime/index.js';
import type { HttpHandler, HttpHandlerOptions } from './handler.js';
import { createObservability, instrumentWith, type Observability } from './observability.js';
import { countDependencyFailure, countIntegrityFailure } from './problem.js';

/**
 * A context's Lambda entry point: Powertools, configuration from the environment and the
 * container, built once per cold start, then the context's HTTP handler. `adapters` adds
 * the AWS adapters only this context needs (shared/runtime/aws-adapters.ts).
 */
export async function lambdaHttpEntry(
  service: string,
  build: (container: Container, options: HttpHandlerOptions) => HttpHandler,
  adapters: (config: Config, instrument: NonNullable<Overrides['instrument']>) => Partial<Overrides> = () => ({}),
): Promise<HttpHandler> {
  const observability = await createObservability(service);
  const config = configFromEnv();
  const instrument = instrumentWith(observability);
  const overrides: Overrides = {
    ...adapters(config, instrument),
    instrument,
    onPublishFailure: (error, events) =>
      observability.logger.error('domain events not published', { errorName: (error as Error).name, events: events.map((e) => e.type) }),
    onUndelivered: (error) => {
      observability.logger.error('one-time code not sent', { dependency: error.dependency, causeName: (error.cause as Error | undefined)?.name });
      countDependencyFailure(observability.metrics, error.dependency);
    },
    onIntegrityFailure: (failure) => {
      observability.logger.error('stored record failed its integrity check', { ...failure });
      countIntegrityFailure(observability.metrics);
    },
  };
  const container = createContainer(config, overrides);
  return build(container, httpOptions(container, observability));
}

/** What every context's HTTP handler is given besides its container. */
export const httpOptions = (container: Container, observability: Observability): HttpHandlerOptions => ({
  ...observability,
  corsOrigins: container.config.corsOrigins,
  downloads: { store: container.downloads, inlineMaxBytes: container.config.responseInlineMaxBytes },
});
