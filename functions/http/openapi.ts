import * as z from 'zod/mini';
import type { DocumentedAnswer, ResponseHeader, RouteSpec } from './route.js';
import { commonHeaders, commonResponses, gatewayMessageSchema, problemSchema, type CommonResponse } from './openapi-components.js';

type JsonSchema = Record<string, unknown>;

export interface ApiInfo {
  title: string;
  version: string;
  /** Markdown: how to authenticate, what the common answers mean. */
  description: string;
  contact: { name: string; url?: string; email?: string };
}

/** A tag per bounded context, with what it covers. */
export type ContextTags = Readonly<Record<string, string>>;

/** How a `download` route answers a document larger than an HTTP answer holds. */
const downloadAnswer: DocumentedAnswer = {
  description: 'The document is larger than an answer holds: Location is a short-lived link to it (clients follow 303 with a GET)',
  schema: z.object({ url: z.string(), expiresAt: z.iso.datetime(), bytes: z.int() }),
  headers: { Location: 'required' },
};

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

function parameters(spec: RouteSpec): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', spec.params],
    ['query', spec.query],
    ['header', spec.headers],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      params.push({ name, in: location, required: location === 'path' || (object.required ?? []).includes(name), schema: property });
    }
  }
  if (spec.ifMatch) {
    params.push({ name: 'If-Match', in: 'header', required: spec.ifMatch === 'required', schema: { type: 'string' }, description: 'The ETag (version) you read' });
  }
  if (spec.idempotencyKey) {
    params.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 }, description: 'Repeat a create safely: the same key and body answer the first result' });
  }
  return params;
}

/** The common problems a route answers, whatever it does: by who may call it and whether it takes a body. */
function commonProblemsOf(spec: RouteSpec): CommonResponse[] {
  const common: CommonResponse[] = ['BadRequest'];
  if (spec.roles !== 'public') common.push('Unauthorized');
  if (Array.isArray(spec.roles)) common.push('Forbidden');
  if (spec.body) common.push('PayloadTooLarge', 'UnsupportedMediaType');
  common.push('TooManyRequests', 'InternalError', 'Unavailable');
  return common;
}

const headersOf = (answer: DocumentedAnswer) =>
  answer.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(answer.headers).map(([name, presence]) => [
            name,
            presence === 'required' ? { ...commonHeaders[name as ResponseHeader], required: true } : { $ref: `#/components/headers/${name}` },
          ]),
        ),
      }
    : {};

function response(status: number, answer: DocumentedAnswer): JsonSchema {
  const content = answer.media
    ? { [answer.media]: { schema: { type: 'string' } } }
    : answer.schema
      ? { 'application/json': { schema: jsonSchema(answer.schema, 'output') } }
      : status >= 400
        ? { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
        : undefined;
  return { description: answer.description, ...headersOf(answer), ...(content ? { content } : {}) };
}

function responses(spec: RouteSpec): Record<string, JsonSchema> {
  const own: Record<number, DocumentedAnswer> = spec.download ? { ...spec.responses, 303: downloadAnswer } : spec.responses;
  const out: Record<string, JsonSchema> = {};
  for (const [status, answer] of Object.entries(own)) out[status] = response(Number(status), answer);
  // A route's own word on a common problem refines its description; the content stays the shared one.
  for (const name of commonProblemsOf(spec)) {
    const status = commonResponses[name].status;
    const refined = own[status]?.description;
    out[status] = { $ref: `#/components/responses/${name}`, ...(refined ? { description: refined } : {}) };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => Number(a) - Number(b)));
}

const rolesLine = (spec: RouteSpec) =>
  spec.roles === 'public'
    ? 'No token needed.'
    : spec.roles === 'customer'
      ? "With the customer's own token from `POST /v1/self/session`."
      : `Roles: ${spec.roles.map((role) => `\`${role}\``).join(', ')}.`;

/** OpenAPI 3.1 for every route, generated from the route table and its zod schemas. */
export function buildOpenApi(routes: readonly RouteSpec[], info: ApiInfo, tags: ContextTags): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = {
      operationId: spec.operationId,
      summary: spec.summary,
      description: `${spec.description}\n\n${rolesLine(spec)}`,
      tags: [spec.context],
      security: spec.roles === 'public' ? [] : spec.roles === 'customer' ? [{ customer: [] }] : [{ bearer: [] }],
      ...(Array.isArray(spec.roles) ? { 'x-kehu-roles': spec.roles } : {}),
      parameters: parameters(spec),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }
        : {}),
      responses: responses(spec),
    };
  }
  // Only what some operation refers to: an unused component is noise to a client generator.
  const used = new Set(routes.map((spec) => spec.context));
  const usedResponses = new Set(routes.flatMap(commonProblemsOf));
  const usedHeaders = new Set([
    ...routes.flatMap((spec) =>
      [...Object.values(spec.responses), ...(spec.download ? [downloadAnswer] : [])].flatMap((a) =>
        Object.entries(a.headers ?? {}).flatMap(([name, presence]) => (presence === 'optional' ? [name] : [])),
      ),
    ),
    ...[...usedResponses].flatMap((name) => Object.keys(('headers' in commonResponses[name] && commonResponses[name].headers) || {})),
  ]);
  return {
    openapi: '3.1.0',
    info: { ...info, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
    // Relative: the API is where this document was fetched from, locally or in AWS.
    servers: [{ url: '/', description: 'The API that serves this document' }],
    tags: Object.entries(tags)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Staff: a Cognito access token' },
        customer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A customer token from POST /v1/self/session' },
      },
      schemas: { Problem: problemSchema, GatewayMessage: gatewayMessageSchema },
      responses: Object.fromEntries(
        Object.entries(commonResponses)
          .filter(([name]) => usedResponses.has(name as CommonResponse))
          .map(([name, { status: _status, ...definition }]) => [name, definition]),
      ),
      headers: Object.fromEntries(Object.entries(commonHeaders).filter(([name]) => usedHeaders.has(name))),
    },
  };
}
