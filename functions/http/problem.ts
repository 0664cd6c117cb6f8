import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { KehuError, UnavailableError, ValidationError, type ErrorKind, type FieldIssue } from '../../shared/platform/errors/index.js';
import { SealError } from '../../shared/platform/crypto/index.js';

/** RFC 9457 problem details. `type` is stable; `detail` is for people. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  errors?: FieldIssue[];
  instance?: string;
  /** Extension members (RFC 9457 §3.2), e.g. `allowedActions` on a 409 for an action that does not apply now. */
  [extension: string]: unknown;
}

export const problemType = (slug: string) => `urn:kehu:problem:${slug}`;

/** The `service` dimension of dependency-failure metrics, whichever function counts them. */
export const DEPENDENCY_METRICS_SERVICE = 'kehu';

const statusOf: Record<ErrorKind, [number, string]> = {
  validation: [400, 'Invalid request'],
  unauthenticated: [401, 'Authentication required'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict'],
  'precondition-failed': [412, 'Precondition failed'],
  'precondition-required': [428, 'Precondition required'],
  unprocessable: [422, 'Unprocessable request'],
  unavailable: [503, 'Service unavailable'],
  'too-many-requests': [429, 'Too many requests'],
  gone: [410, 'Gone'],
  integrity: [500, 'Stored record damaged'],
};

/** Errors thrown by middy's own middleware (router, body parser) carry a status. */
interface HttpError extends Error {
  statusCode: number;
  cause?: { package?: string; data?: unknown };
}
const isHttpError = (error: unknown): error is HttpError =>
  error instanceof Error && typeof (error as HttpError).statusCode === 'number';

export function toProblem(error: unknown, requestId?: string): Problem {
  const instance = requestId ? `urn:kehu:request:${requestId}` : undefined;
  if (error instanceof KehuError) {
    const [status, title] = statusOf[error.kind];
    return {
      // Extensions first: they never replace a standard member.
      ...error.extensions,
      type: problemType(error.kind),
      title,
      status,
      detail: error.message,
      ...(error.field ? { field: error.field } : {}),
      ...(error instanceof ValidationError ? { errors: error.issues } : {}),
      ...(instance ? { instance } : {}),
    };
  }
  if (isHttpError(error) && error.statusCode < 500) return fromMiddyError(error, instance);
  return {
    type: problemType(error instanceof SealError ? 'integrity' : 'internal'),
    title: 'Internal error',
    status: 500,
    detail: 'Something went wrong on our side; nothing you sent is at fault. Quote the instance when reporting it.',
    ...(instance ? { instance } : {}),
  };
}

function fromMiddyError(error: HttpError, instance?: string): Problem {
  const base = instance ? { instance } : {};
  if (error.cause?.package === '@middy/http-json-body-parser') {
    if (error.message === 'Unsupported Media Type') {
      return { type: problemType('unsupported-media-type'), title: 'Unsupported media type', status: 415, detail: 'Send the body as application/json.', field: 'Content-Type', ...base };
    }
    return { type: problemType('malformed-json'), title: 'Invalid request', status: 400, detail: 'The body is not valid JSON.', field: 'body', ...base };
  }
  if (error.statusCode === 404) {
    return { type: problemType('not-found'), title: 'Not found', status: 404, detail: 'No such route.', ...base };
  }
  return { type: problemType(`http-${error.statusCode}`), title: error.name, status: error.statusCode, detail: error.message, ...base };
}

/** Seconds a client waits before retrying a 503: a dependency's throttling or brief outage. */
export const RETRY_AFTER_SECONDS = 1;

export const problemResponse = (problem: Problem): APIGatewayProxyStructuredResultV2 => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...(problem.status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {}) },
  body: JSON.stringify(problem),
});

const DEPENDENCY_METRICS: Record<UnavailableError['dependency'], string> = {
  'key-service': 'KeyServiceErrors',
  store: 'StoreErrors',
  'event-bus': 'EventBusErrors',
  notifier: 'NotifierErrors',
  'download-store': 'DownloadStoreErrors',
  'audit-anchor': 'AuditAnchorErrors',
};

/** Counts a failed dependency under one dimension for every function, so that one alarm watches them all. */
export function countDependencyFailure(metrics: Metrics, dependency: UnavailableError['dependency']): void {
  const single = metrics.singleMetric();
  single.setDefaultDimensions({ service: DEPENDENCY_METRICS_SERVICE });
  single.addMetric(DEPENDENCY_METRICS[dependency], MetricUnit.Count, 1);
}

/** The metric the IntegrityFailures alarm watches: a stored record whose sealed data would not open. */
export const INTEGRITY_METRIC = 'IntegrityFailures';

/** Counts one integrity failure, under the same dimension for every function. */
export function countIntegrityFailure(metrics: Metrics): void {
  const single = metrics.singleMetric();
  single.setDefaultDimensions({ service: DEPENDENCY_METRICS_SERVICE });
  single.addMetric(INTEGRITY_METRIC, MetricUnit.Count, 1);
}

/**
 * Turns every error into problem+json. Server-side failures are logged by name and stack
 * only: messages of third-party errors and their causes may quote request data. A failed
 * dependency counts in its metric (`StoreErrors`, `KeyServiceErrors`, ...), a seal that does not
 * open in `IntegrityFailures`; the alarms watch them.
 */
export const problemDetails = (
  logger: Logger,
  metrics: Metrics,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: async (request) => {
    const problem = toProblem(request.error, request.event.requestContext?.requestId);
    if (request.error instanceof UnavailableError) countDependencyFailure(metrics, request.error.dependency);
    // An IntegrityError was counted where it was found (onIntegrityFailure); a bare SealError was not.
    if (request.error instanceof SealError) countIntegrityFailure(metrics);
    if (problem.status >= 500) {
      const error = request.error as Error & { cause?: unknown };
      logger.error('request failed', {
        requestId: request.event.requestContext?.requestId,
        errorName: error?.name,
        ...(error instanceof UnavailableError ? { dependency: error.dependency } : {}),
        stack: error?.stack?.split('\n').slice(1).join('\n'),
        causeName: (error?.cause as Error | undefined)?.name,
        problemType: problem.type,
      });
    }
    request.response = { ...problemResponse(problem), headers: { ...request.response?.headers, ...problemResponse(problem).headers } };
  },
});
