// From the modules themselves, not the runtime's index, which also offers the container of every service.
import { configFromEnv, type Config } from '../../shared/runtime/config.js';
import { composeContainer, type Container, type Foundation, type ServiceName, type ServicesOf } from '../../shared/runtime/compose.js';
import type { Overrides } from '../../shared/runtime/wiring.js';
import type { HttpHandler, HttpHandlerOptions } from './handler.js';
import { createObservability, instrumentWith, type Observability } from './observability.js';
import { countDependencyFailure, countIntegrityFailure } from './problem.js';

/**
 * A context's Lambda entry point: Powertools, configuration from the environment and the
 * container with the services its routes call (`services`), built once per cold start,
 * then the context's HTTP handler. `adapters` adds the AWS adapters only this context
 * needs (shared/runtime/aws-adapters.ts).
 */
export async function lambdaHttpEntry<K extends ServiceName>(
  service: string,
  services: ServicesOf<K>,
  build: (container: NoInfer<Foundation & Pick<Container, K>>, options: HttpHandlerOptions) => HttpHandler,
  adapters: (config: Config, instrument: NonNullable<Overrides['instrument']>) => Partial<Overrides> = () => ({}),
): Promise<HttpHandler> {
  const observability = await createObservability(service);
  const config = configFromEnv();
  const overrides = lambdaOverrides(observability, adapters(config, instrumentWith(observability)));
  const container = composeContainer(config, overrides, services);
  return build(container, httpOptions(container, observability));
}

/**
 * What every function's container is given in Lambda: X-Ray around its SDK clients, and
 * failures logged through Powertools and counted for the alarms. `adapters` are the AWS
 * adapters only some functions carry.
 */
export function lambdaOverrides(observability: Observability, adapters: Partial<Overrides> = {}): Overrides {
  return {
    ...adapters,
    instrument: instrumentWith(observability),
    onPublishFailure: (error, events) =>
      observability.logger.error('domain events not published', { errorName: (error as Error).name, events: events.map((e) => e.type) }),
    onUndelivered: (error) => {
      observability.logger.error('message not sent', { dependency: error.dependency, causeName: (error.cause as Error | undefined)?.name });
      countDependencyFailure(observability.metrics, error.dependency);
    },
    onIntegrityFailure: (failure) => {
      observability.logger.error('stored record failed its integrity check', { ...failure });
      countIntegrityFailure(observability.metrics);
    },
  };
}

/** What every context's HTTP handler is given besides its container. */
export const httpOptions = (container: Foundation, observability: Observability): HttpHandlerOptions => ({
  ...observability,
  corsOrigins: container.config.corsOrigins,
  downloads: { store: container.downloads, inlineMaxBytes: container.config.responseInlineMaxBytes },
});
