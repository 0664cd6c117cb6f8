import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { redactPersonalData } from './logger.js';

/** Powertools for one function: logs with personal keys redacted, EMF metrics, X-Ray tracing. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  /** Only in Lambda: see createObservability. */
  tracer?: Tracer;
}

/** One metrics namespace for all of Kehu; the CDK stacks set the same through the environment. */
export const METRICS_NAMESPACE = 'Kehu';

/**
 * The X-Ray SDK installs async hooks on every promise as soon as it is loaded, costing
 * about a tenth of the CPU of a request. Powertools disables tracing outside Lambda
 * anyway, so the tracer is loaded only there.
 */
export async function createObservability(serviceName: string): Promise<Observability> {
  const inLambda = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);
  const tracer = inLambda ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName }) : undefined;
  const logger = new Logger({ serviceName, jsonReplacerFn: redactPersonalData });
  return {
    logger,
    metrics: new Metrics({
      serviceName,
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
      // Most requests add no metric; Powertools would warn about that on every one of them.
      logger: {
        debug: () => undefined,
        info: () => undefined,
        warn: (...args: unknown[]) => (String(args[0]).startsWith('No application metrics') ? undefined : logger.warn(String(args[0]))),
        error: (...args: unknown[]) => logger.error(String(args[0])),
      },
    }),
    ...(tracer ? { tracer } : {}),
  };
}

/** Wraps an AWS SDK client for X-Ray when tracing is on; otherwise the client as is. */
export const instrumentWith =
  ({ tracer }: Observability) =>
  <C>(client: C): C =>
    tracer ? tracer.captureAWSv3Client(client) : client;
