import type { ResponseHeader } from './route.js';

type JsonSchema = Record<string, unknown>;

/** RFC 9457 problem details, as every function answers an error. */
export const problemSchema: JsonSchema = {
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
    allowedActions: { type: 'array', items: { type: 'string' }, description: 'On a 409 for an action that does not apply now: the actions that do, for your role' },
  },
};

/** What API Gateway itself answers when it refuses a request before any function sees it. */
export const gatewayMessageSchema: JsonSchema = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string', examples: ['Too Many Requests'] } },
};

const problem = { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } };
const gateway = { 'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } } };
const retryAfter = { 'Retry-After': { $ref: '#/components/headers/Retry-After' } };

/**
 * The problems any operation can answer, declared once and referred to by every
 * operation they apply to. Answers from API Gateway (throttling, an authorizer refusal, a
 * function that failed to answer) are its plain `{"message": ...}`; the functions'
 * are problem+json.
 */
export const commonResponses = {
  BadRequest: { status: 400, description: 'Invalid input; `field` and `errors` name what is wrong', content: { ...problem, ...gateway } },
  Unauthorized: { status: 401, description: 'No valid token', content: { ...problem, ...gateway } },
  Forbidden: { status: 403, description: 'The role may not use this route or purpose', content: problem },
  PayloadTooLarge: { status: 413, description: 'The body is larger than API Gateway accepts (10 MB)', content: gateway },
  UnsupportedMediaType: { status: 415, description: 'The body is not sent as application/json', content: problem },
  TooManyRequests: { status: 429, description: 'Too many requests: slow down and retry later', headers: retryAfter, content: { ...problem, ...gateway } },
  InternalError: { status: 500, description: 'A failure on the server side; quote the instance when reporting it', content: { ...problem, ...gateway } },
  Unavailable: { status: 503, description: 'A service the API depends on is unavailable; retry later', headers: retryAfter, content: { ...problem, ...gateway } },
} satisfies Record<string, { status: number; description: string; headers?: Record<string, unknown>; content: Record<string, unknown> }>;

export type CommonResponse = keyof typeof commonResponses;

/** Response headers, declared once. */
export const commonHeaders: Record<ResponseHeader, { description: string; schema: JsonSchema }> = {
  ETag: { description: 'The version of the resource, to send back as If-Match', schema: { type: 'string', pattern: '^"\\d+"$' } },
  Location: { description: 'Where the resource or document is', schema: { type: 'string' } },
  'Idempotent-Replayed': { description: '`true` when this answers a repeated Idempotency-Key with the first result', schema: { type: 'string', enum: ['true'] } },
  'Content-Disposition': { description: 'Names the file to save the document as', schema: { type: 'string' } },
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'string', pattern: '^\\d+$' } },
};
