import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from '../http/index.js';
import { buildOpenApi } from '../http/openapi.js';
import { apiVersion, routeTable } from '../routes.js';
import { platformRoutes } from './routes.js';

/** Health and the OpenAPI document: public, no storage. */
export function createPlatformHandler(options: HttpHandlerOptions): HttpHandler {
  let document: unknown;
  return createHttpHandler(
    platformRoutes,
    {
      health: async () => ({ status: 200, body: { status: 'ok', version: apiVersion } }),
      openApi: async () => {
        document ??= buildOpenApi(routeTable, { title: 'Kehu customer-data API', version: apiVersion });
        return { status: 200, body: document };
      },
    },
    options,
  );
}
