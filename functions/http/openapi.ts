import * as z from 'zod/mini';
import type { RouteSpec } from './route.js';

/** How a `download` route answers a document larger than an HTTP answer holds. */
const downloadAnswer = {
  description: 'The document is larger than an answer holds: Location is a short-lived link to it (clients follow 303 with a GET)',
  schema: z.object({ url: z.string(), expiresAt: z.iso.datetime(), bytes: z.int() }),
};

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const problemSchema: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', description: 'Stable problem type, e.g. urn:kehu:problem:validation' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    field: { type: 'string', description: 'The field, parameter or header at fault' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
    instance: { type: 'string' },
  },
};

function parameters(spec: RouteSpec): JsonSchema[] {
  const params: JsonSchema[] = [];
  for (const [location, schema] of [
    ['path', spec.params],
    ['query', spec.query],
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

/** OpenAPI 3.1 for every route, generated from the route table and its zod schemas. */
export function buildOpenApi(routes: readonly RouteSpec[], info: { title: string; version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of routes) {
    const documented = spec.download ? { ...spec.responses, 303: downloadAnswer } : spec.responses;
    const responses = Object.fromEntries(
      Object.entries(documented).map(([status, { description, schema }]) => {
        const isProblem = Number(status) >= 400;
        const content = schema
          ? { 'application/json': { schema: jsonSchema(schema, 'output') } }
          : isProblem
            ? { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }
            : undefined;
        return [status, { description, ...(content ? { content } : {}) }];
      }),
    );
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = {
      operationId: `${spec.method.toLowerCase()} ${spec.path}`,
      summary: spec.summary,
      tags: [spec.context],
      security: spec.roles === 'public' ? [] : spec.roles === 'customer' ? [{ customer: [] }] : [{ bearer: [] }],
      ...(Array.isArray(spec.roles) ? { 'x-kehu-roles': spec.roles } : {}),
      parameters: parameters(spec),
      ...(spec.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Staff: a Cognito access token' },
        customer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A customer token from POST /v1/self/session' },
      },
      schemas: { Problem: problemSchema },
    },
  };
}
