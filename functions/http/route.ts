import type * as z from 'zod/mini';
import type { Actor, CustomerActor, Role } from '../../shared/access/index.js';

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
  /** The bounded context whose function serves this route. */
  context: string;
  summary: string;
  /**
   * Staff roles allowed (a Cognito token); `public` for routes without a token (health,
   * OpenAPI, asking for a self-service code); `customer` for a customer's own token, which
   * the function itself verifies.
   */
  roles: readonly Role[] | 'public' | 'customer';
  params?: P;
  query?: Q;
  body?: B;
  /** Largest accepted body; 64 KiB unless said otherwise. */
  maxBodyBytes?: number;
  ifMatch?: 'required' | 'optional';
  idempotencyKey?: boolean;
  /**
   * The answer is a whole document that can outgrow an HTTP answer: above the configured
   * size it is offered as a download, answered 303 See Other with its short-lived link.
   */
  download?: boolean;
  /** Documented answers: status -> description and optional schema. */
  responses: Record<number, { description: string; schema?: z.ZodMiniType }>;
}

type Infer<S> = S extends z.ZodMiniType ? z.infer<S> : undefined;

export interface OperationInput<R extends RouteSpec> {
  params: Infer<R['params']>;
  query: Infer<R['query']>;
  body: Infer<R['body']>;
  /** Absent only on public routes. */
  actor: R['roles'] extends 'public' ? undefined : R['roles'] extends 'customer' ? CustomerActor : Actor;
  /** The version named by `If-Match`, when the route takes one. */
  ifMatch?: number;
  idempotencyKey?: string;
  requestId: string;
}

export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation<R extends RouteSpec> = (input: OperationInput<R>) => Promise<Answer>;

export type Operations<T extends Record<string, RouteSpec>> = { [K in keyof T]: Operation<T[K]> };

/** Keeps the literal types of a route table while checking it. */
export const defineRoutes = <T extends Record<string, RouteSpec>>(routes: T): T => routes;

/** `GET /v1/customers/{id}`: the key API Gateway uses for a route. */
export const routeKey = (route: Pick<RouteSpec, 'method' | 'path'>) => `${route.method} ${route.path}`;
