import { randomUUID } from 'node:crypto';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { HttpHandler } from '../functions/http/index.js';
import { routeKey, toProblem, type RouteSpec } from '../functions/http/index.js';
import type { FolderDownloadStore } from '../shared/platform/downloads/index.js';
import { UnauthenticatedError, ValidationError } from '../shared/platform/errors/index.js';
import { BearerVerifier } from './tokens.js';

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** Lambda's limit on a synchronous answer; beyond it API Gateway answers 500. */
const MAX_LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

/**
 * Whether Lambda would refuse this answer as larger than 6 MB. Escaping a body for the
 * JSON envelope at most sextuples it (\u00XX), so a small one is let through without
 * serializing the whole answer again.
 */
function overLambdaLimit(answer: unknown): boolean {
  const body = (answer as { body?: unknown }).body;
  if (typeof body === 'string' && body.length * 6 < MAX_LAMBDA_RESPONSE_BYTES - 64 * 1024) return false;
  return Buffer.byteLength(JSON.stringify(answer)) > MAX_LAMBDA_RESPONSE_BYTES;
}
/** HTTP API's quota on the request line and headers together (10,240 bytes, not adjustable). */
const MAX_HEADER_BYTES = 10_240;
/** How long a client may take to send its headers, and its whole request. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

export interface LocalApiOptions {
  routes: readonly RouteSpec[];
  /** The Lambda handler of each context, as deployed. */
  handlers: Readonly<Record<string, HttpHandler>>;
  tokenSecret: Uint8Array;
  corsOrigins: readonly string[];
  /** Serves the links of offered downloads, as S3 serves presigned URLs. */
  downloads?: FolderDownloadStore;
}

interface MatchedRoute {
  spec: RouteSpec;
  pathParameters: Record<string, string>;
}

/** A path segment that is not valid percent-encoding (`%zz`, a lone `%`, or bytes that are not UTF-8). */
const badEscape = (name: string) =>
  new ValidationError(`The path parameter ${name} is not validly percent-encoded.`, [{ field: name, message: 'is not validly percent-encoded' }]);

/**
 * Route matching as API Gateway does it: exact method and path template. A parameter
 * that does not decode is the caller's fault, answered 400 before any authorizer runs.
 */
function matcher(routes: readonly RouteSpec[]) {
  const compiled = routes.map((spec) => ({
    spec,
    pattern: new RegExp(`^${spec.path.replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
  }));
  const decode = (name: string, value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      throw badEscape(name);
    }
  };
  return (method: string, path: string): MatchedRoute | undefined => {
    for (const { spec, pattern } of compiled) {
      const match = spec.method === method ? pattern.exec(path) : null;
      if (match) {
        const pathParameters = Object.fromEntries(Object.entries(match.groups ?? {}).map(([k, v]) => [k, decode(k, v)]));
        return { spec, pathParameters };
      }
    }
    return undefined;
  };
}

const problemBody = (status: number, slug: string, title: string, detail: string) =>
  JSON.stringify({ type: `urn:kehu:problem:${slug}`, title, status, detail });

/** API Gateway's answer where no route matches: 404, whatever the method. */
const noRoute = () => problemBody(404, 'not-found', 'Not found', 'No such route.');

/**
 * What the local API Gateway answers to a request Node could not parse: as API Gateway,
 * never an empty body. An unknown method has no route (404); headers over HTTP API's
 * quota are refused with 431; a client too slow to send its request gets 408; anything
 * else malformed (request line, header syntax, framing) is a 400.
 */
export function clientErrorAnswer(code: string | undefined): { status: number; body: string } {
  switch (code) {
    case 'HPE_INVALID_METHOD':
      return { status: 404, body: noRoute() };
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, body: problemBody(431, 'headers-too-large', 'Request header fields too large', `The request line and headers exceed ${MAX_HEADER_BYTES} bytes.`) };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
    case 'HPE_HEADERS_TIMEOUT':
      return { status: 408, body: problemBody(408, 'request-timeout', 'Request timeout', 'The request was not received in time.') };
    default:
      return { status: 400, body: problemBody(400, 'malformed-request', 'Invalid request', 'The request is not well-formed HTTP.') };
  }
}

function answerClientError(error: Error & { code?: string }, socket: Duplex) {
  // A connection reset or already answered has no one to read an answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, body } = clientErrorAnswer(error.code);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The request target as a URL; undefined when it is not one (`GET http://[ HTTP/1.1`). */
function targetOf(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

const readBody = (req: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });

function send(res: ServerResponse, status: number, headers: Record<string, string | number | boolean>, body?: string | Buffer) {
  res.writeHead(status, Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])));
  res.end(body);
}

const sendProblem = (res: ServerResponse, error: unknown, requestId: string, cors: Record<string, string>) => {
  const problem = toProblem(error, requestId);
  send(res, problem.status, { 'content-type': 'application/problem+json', ...cors }, JSON.stringify(problem));
};

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * The local API Gateway: matches the route, verifies the bearer token as the JWT
 * authorizer would, turns the request into a payload-2.0 event, invokes the same handler
 * that runs in Lambda, and writes its answer back.
 */
export function createLocalApi(options: LocalApiOptions): Server {
  const match = matcher(options.routes);
  const bearer = new BearerVerifier(options.tokenSecret);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS }, async (req, res) => {
    const requestId = randomUUID();
    const origin = req.headers.origin;
    const allowedOrigin = origin && (options.corsOrigins.includes('*') || options.corsOrigins.includes(origin)) ? origin : undefined;
    const cors: Record<string, string> = allowedOrigin ? { 'access-control-allow-origin': allowedOrigin, vary: 'Origin' } : {};
    try {
      const url = targetOf(req);
      if (!url) {
        send(res, 400, { 'content-type': 'application/problem+json', ...cors }, problemBody(400, 'malformed-request', 'Invalid request', 'The request target is not a valid path.'));
        return;
      }
      const method = (req.method ?? 'GET').toUpperCase();
      if (method === 'OPTIONS' && allowedOrigin) {
        // Preflight is answered by API Gateway's CORS configuration, not by a function.
        send(res, 204, {
          ...cors,
          'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE',
          'access-control-allow-headers': 'authorization,content-type,if-match,idempotency-key,survey-token',
          'access-control-max-age': 600,
        });
        return;
      }
      if (options.downloads && method === 'GET' && url.pathname.startsWith(`${options.downloads.pathPrefix}/`)) {
        const id = url.pathname.slice(options.downloads.pathPrefix.length + 1);
        const document = await options.downloads.open(id, url.searchParams.get('expires'), url.searchParams.get('signature'));
        // S3 answers an expired or altered presigned URL with 403.
        if (document === undefined) send(res, 403, { 'content-type': 'application/xml', ...cors }, '<Error><Code>AccessDenied</Code></Error>');
        else send(res, 200, { 'content-type': 'application/json', 'content-disposition': `attachment; filename="${url.searchParams.get('name') ?? id}"`, ...cors }, document);
        return;
      }
      const route = match(method, url.pathname);
      if (!route) {
        send(res, 404, { 'content-type': 'application/problem+json', ...cors }, noRoute());
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      let claims: Record<string, string> | undefined;
      // Staff routes sit behind the JWT authorizer; public and customer routes do not.
      if (Array.isArray(route.spec.roles)) {
        // Locally the 401 says why (API Gateway's own does not): most often a token of another DATA_DIR.
        const checked = await bearer.check(headers.authorization);
        if ('refused' in checked) return sendProblem(res, new UnauthenticatedError(checked.refused), requestId, cors);
        claims = checked.claims;
      }
      const body = await readBody(req);
      if (!body) {
        send(res, 413, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: 'Request Entity Too Large' }));
        return;
      }
      const query: Record<string, string> = {};
      for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
      const now = Date.now();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey: routeKey(route.spec),
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(url.search ? { queryStringParameters: query } : {}),
        ...(Object.keys(route.pathParameters).length ? { pathParameters: route.pathParameters } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${req.httpVersion}`,
            sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: routeKey(route.spec),
          stage: '$default',
          time: new Date(now).toISOString(),
          timeEpoch: now,
          ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
        } as APIGatewayProxyEventV2['requestContext'],
        ...(body.length ? { body: body.toString('utf8') } : {}),
        isBase64Encoded: false,
      };
      const handler = options.handlers[route.spec.context];
      if (!handler) throw new Error(`No handler for context ${route.spec.context}`);
      const answer = await handler(event, lambdaContext(`kehu-${route.spec.context}`, requestId));
      if (overLambdaLimit(answer)) {
        console.error(JSON.stringify({ level: 'ERROR', message: 'Lambda response larger than 6 MB; API Gateway answers 500', route: routeKey(route.spec) }));
        send(res, 500, { 'content-type': 'application/json', ...cors }, JSON.stringify({ message: 'Internal Server Error' }));
        return;
      }
      const responseBody = answer.body === undefined ? undefined : Buffer.from(answer.body, answer.isBase64Encoded ? 'base64' : 'utf8');
      // As API Gateway with a CORS configuration does, its own CORS headers replace the function's.
      const headersOut = Object.fromEntries(Object.entries(answer.headers ?? {}).filter(([name]) => !/^access-control-/i.test(name)));
      send(res, answer.statusCode ?? 200, { ...headersOut, ...cors }, responseBody);
    } catch (error) {
      sendProblem(res, error, requestId, cors);
    }
  });
  server.on('clientError', answerClientError);
  return server;
}
