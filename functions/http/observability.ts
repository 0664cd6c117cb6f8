import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { redactPersonalData } from './logger.js';

/** Powertools for one function: logs with personal keys redacted, EMF metrics, X-Ray tracing. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

/** One metrics namespace for all of Kehu; the CDK stacks set the same through the environment. */
export const METRICS_NAMESPACE = 'Kehu';

export function createObservability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName, jsonReplacerFn: redactPersonalData }),
    metrics: new Metrics({ serviceName, namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE }),
    // Off outside Lambda (the local runtime, tests) by Powertools' own detection.
    tracer: new Tracer({ serviceName }),
  };
}
