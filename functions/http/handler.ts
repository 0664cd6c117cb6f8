import middy, { type MiddlewareObj } from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpCors from '@middy/http-cors';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import type { Actor, CustomerActor } from '../../shared/platform/access/index.js';
import { KehuError, PreconditionRequiredError, UnauthenticatedError, ValidationError } from '../../shared/platform/errors/index.js';
import type { DownloadStore } from '../../shared/platform/ports/index.js';
import { authorize } from './auth.js';
import { problemDetails } from './problem.js';
import type { Observability } from './observability.js';
import type { Operation, Operations, RouteSpec } from './route.js';
import { parse } from './validation.js';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpHandlerOptions extends Observability {
  corsOrigins: readonly string[];
  /** Where answers of `download` routes go when they are larger than `inlineMaxBytes`. */
  downloads?: { store: DownloadStore; inlineMaxBytes: number };
  /** Verifies a customer token on `customer` routes. */
  authenticateCustomer?: (authorization: string | undefined, requestId: string) => Promise<CustomerActor>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const idempotencyKeySchema = z.string().check(z.regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 visible ASCII characters'));

/**
 * The middleware stack every function shares: header normalization, Powertools (tracing,
 * metrics, logger context), an access log line, CORS, problem+json errors, then the
 * router over the context's routes. Each route authorizes before it reads the body.
 */
export function createHttpHandler<T extends Record<string, RouteSpec>>(
  routes: T,
  operations: Operations<T>,
  { logger, metrics, tracer, corsOrigins, authenticateCustomer, downloads }: HttpHandlerOptions,
): HttpHandler {
  const router = httpRouterHandler(
    Object.entries(routes).map(([id, spec]) => ({
      method: spec.method,
      path: spec.path,
      handler: routeHandler(spec, operations[id] as Operation<RouteSpec>, authenticateCustomer, downloads),
    })),
  );
  const stack = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().use(httpHeaderNormalizer());
  if (tracer) stack.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return stack
    .use(logMetrics(metrics, { captureColdStartMetric: true }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog(logger, tracer))
    .use(httpCors({ origins: [...corsOrigins], exposeHeaders: 'ETag,Location,Idempotent-Replayed' }))
    .use(problemDetails(logger, metrics))
    .handler(router as unknown as HttpHandler) as unknown as HttpHandler;
}

function routeHandler(
  spec: RouteSpec,
  operation: Operation<RouteSpec>,
  authenticateCustomer: HttpHandlerOptions['authenticateCustomer'],
  downloads: HttpHandlerOptions['downloads'],
) {
  const actors = new WeakMap<APIGatewayProxyEventV2, Actor | CustomerActor>();
  const authorization: MiddlewareObj<APIGatewayProxyEventV2> = {
    before: async ({ event }) => {
      if (spec.roles === 'customer') {
        if (!authenticateCustomer) throw new UnauthenticatedError();
        actors.set(event, await authenticateCustomer(event.headers?.authorization, event.requestContext.requestId));
      } else if (spec.roles !== 'public') actors.set(event, authorize(event, spec.roles));
      if (spec.body) checkBodySize(event, spec.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    },
  };
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().use(authorization);
  if (spec.body) handler.use(httpJsonBodyParser({ disableContentTypeError: false }));
  return handler.handler(async (event): Promise<APIGatewayProxyStructuredResultV2> => {
    const headers = event.headers ?? {};
    const answer = await operation({
      params: spec.params ? parse(spec.params, event.pathParameters ?? {}, 'path') : undefined,
      query: spec.query ? parse(spec.query, event.queryStringParameters ?? {}, 'query') : undefined,
      body: spec.body ? parse(spec.body, event.body, 'body') : undefined,
      headers: spec.headers ? parse(spec.headers, headers, 'header') : undefined,
      actor: actors.get(event) as Actor,
      ifMatch: spec.ifMatch ? parseIfMatch(headers['if-match'], spec.ifMatch) : undefined,
      idempotencyKey:
        spec.idempotencyKey && headers['idempotency-key'] !== undefined
          ? parse(idempotencyKeySchema, headers['idempotency-key'], 'header')
          : undefined,
      requestId: event.requestContext.requestId,
      ...(event.requestContext.http?.sourceIp ? { sourceIp: event.requestContext.http.sourceIp } : {}),
    });
    if (answer.text !== undefined) return { statusCode: answer.status, headers: answer.headers, body: answer.text };
    const body = answer.body === undefined ? undefined : JSON.stringify(answer.body);
    if (spec.download && downloads && body !== undefined && Buffer.byteLength(body) > downloads.inlineMaxBytes) {
      const offered = await downloads.store.offer(body, `kehu-${spec.context}-${event.requestContext.requestId}.json`);
      return { statusCode: 303, headers: { 'content-type': 'application/json', location: offered.url }, body: JSON.stringify(offered) };
    }
    return {
      statusCode: answer.status,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...answer.headers },
      ...(body === undefined ? {} : { body }),
    };
  });
}

function checkBodySize(event: APIGatewayProxyEventV2, max: number) {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body, 'utf8');
  if (bytes > max) {
    throw new KehuError('validation', `The body is larger than ${max} bytes.`, 'body');
  }
}

/** `If-Match: "3"` (also `W/"3"` or `3`) names version 3. */
function parseIfMatch(value: string | undefined, mode: 'required' | 'optional'): number | undefined {
  if (value === undefined) {
    if (mode === 'required') throw new PreconditionRequiredError('Send If-Match with the version you read (its ETag).');
    return undefined;
  }
  const match = /^(?:W\/)?"?(\d{1,10})"?$/.exec(value.trim());
  if (!match) {
    throw new ValidationError('If-Match must be the ETag you read, e.g. "3".', [{ field: 'If-Match', message: 'must be a version ETag' }]);
  }
  return Number(match[1]);
}

/**
 * The route template of a request, `GET /v1/customers/{id}`: never the raw path, whose ids
 * would outlive an erased customer in the logs and split metrics by customer.
 */
export const routeOf = (event: APIGatewayProxyEventV2): string =>
  event.routeKey && event.routeKey !== '$default' ? event.routeKey : `${event.requestContext?.http?.method ?? '-'} (no route)`;

/**
 * One structured line per request: route template, status, time. No path, query, body or
 * headers. The route is also set on every other line of the request (errors too) and
 * annotates its trace.
 */
const accessLog = (logger: Logger, tracer?: Tracer): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => {
  const started = new WeakMap<object, number>();
  const log = (request: { event: APIGatewayProxyEventV2; response?: APIGatewayProxyStructuredResultV2 | null }) => {
    const start = started.get(request.event) ?? performance.now();
    logger.info('request', {
      route: routeOf(request.event),
      status: request.response?.statusCode,
      durationMs: Math.round((performance.now() - start) * 10) / 10,
      requestId: request.event.requestContext?.requestId,
    });
  };
  return {
    before: async ({ event }) => {
      started.set(event, performance.now());
      const route = routeOf(event);
      logger.appendKeys({ route });
      tracer?.putAnnotation('route', route);
    },
    after: async (request) => log(request),
    onError: async (request) => log(request),
  };
};
