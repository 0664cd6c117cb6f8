import type * as z from 'zod/mini';
import type { Actor, CustomerActor, Role } from '../../shared/platform/access/index.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One route of the API: what it accepts, who may call it, which function serves it. */
export interface RouteSpec<
  P extends z.ZodMiniType = z.ZodMiniType,
  Q extends z.ZodMiniType = z.ZodMiniType,
  B extends z.ZodMiniType = z.ZodMiniType,
> {
  method: Method;
  /** API Gateway route path, e.g. `/v1/customers/{id}`. */
  path: string;
  /** The bounded context whose function serves this route; also its tag in the OpenAPI document. */
  context: string;
  /**
   * The operation's name for generated clients, e.g. `getCustomer`: a lowerCamelCase verb
   * and noun, unique across the API. Written out rather than derived, so renaming a key
   * or path never renames a client method.
   */
  operationId: string;
  /** One line, shown in lists of operations. */
  summary: string;
  /** What the operation does and what a caller should know, for the reference page. */
  description: string;
  /**
   * Staff roles allowed (a Cognito token); `public` for routes without a token (health,
   * OpenAPI, asking for a self-service code); `customer` for a customer's own token, which
   * the function itself verifies.
   */
  roles: readonly Role[] | 'public' | 'customer';
  params?: P;
  query?: Q;
  body?: B;
  /** Request headers the operation reads (lowercase names), beyond If-Match and Idempotency-Key. */
  headers?: z.ZodMiniType;
  /** Largest accepted body; 64 KiB unless said otherwise. */
  maxBodyBytes?: number;
  ifMatch?: 'required' | 'optional';
  idempotencyKey?: boolean;
  /**
   * The answer is a whole document that can outgrow an HTTP answer: above the configured
   * size it is offered as a download, answered 303 See Other with its short-lived link.
   */
  download?: boolean;
  /**
   * Documented answers: status -> description, optional schema and headers. Every route
   * also answers the common problems (400, 429, 500, 503; 401 and 403 with a token; 413
   * and 415 with a body), declared once in the document: list one of those here only to
   * say more about it.
   */
  responses: Record<number, DocumentedAnswer>;
}

/** Response headers the document describes once and routes name. */
export type ResponseHeader = 'ETag' | 'Location' | 'Idempotent-Replayed' | 'Content-Disposition' | 'Retry-After';

export interface DocumentedAnswer {
  description: string;
  /** The JSON body; absent for an answer without a body (or a problem, which has its own). */
  schema?: z.ZodMiniType;
  /** A non-JSON body sent as text, e.g. `text/html`; the operation answers `text`. */
  media?: string;
  /** Headers this answer carries; `required` ones on every such answer. */
  headers?: Partial<Record<ResponseHeader, 'required' | 'optional'>>;
}

type Infer<S> = S extends z.ZodMiniType ? z.infer<S> : undefined;

export interface OperationInput<R extends RouteSpec> {
  params: Infer<R['params']>;
  query: Infer<R['query']>;
  body: Infer<R['body']>;
  headers: Infer<R['headers']>;
  /** Absent only on public routes. */
  actor: R['roles'] extends 'public' ? undefined : R['roles'] extends 'customer' ? CustomerActor : Actor;
  /** The version named by `If-Match`, when the route takes one. */
  ifMatch?: number;
  idempotencyKey?: string;
  requestId: string;
  /** The caller's address as API Gateway saw it; only ever stored pseudonymised. */
  sourceIp?: string;
}

export interface Answer {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as it is, for a route answering another media type; its content-type goes in `headers`. */
  text?: string;
  headers?: Record<string, string>;
}

export type Operation<R extends RouteSpec> = (input: OperationInput<R>) => Promise<Answer>;

export type Operations<T extends Record<string, RouteSpec>> = { [K in keyof T]: Operation<T[K]> };

/** Keeps the literal types of a route table while checking it. */
export const defineRoutes = <T extends Record<string, RouteSpec>>(routes: T): T => routes;

/** `GET /v1/customers/{id}`: the key API Gateway uses for a route. */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
