import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from '../http/index.js';
import { apiVersion } from '../routes.js';
import { openApiDocument } from './document.js';
import { referencePage, referencePageSecurityPolicy, referenceScript } from './reference-page.js';
import { platformRoutes } from './routes.js';

const staticHeaders = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Health, the OpenAPI document and its reference page: public, no storage. */
export function createPlatformHandler(options: HttpHandlerOptions): HttpHandler {
  return createHttpHandler(
    platformRoutes,
    {
      health: async () => ({ status: 200, body: { status: 'ok', version: apiVersion } }),
      openApi: async () => ({ status: 200, body: openApiDocument() }),
      referencePage: async () => ({
        status: 200,
        text: referencePage,
        headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': referencePageSecurityPolicy, 'cache-control': 'no-cache', ...staticHeaders },
      }),
      referenceScript: async () => ({
        status: 200,
        text: await referenceScript(),
        headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600', ...staticHeaders },
      }),
    },
    options,
  );
}
