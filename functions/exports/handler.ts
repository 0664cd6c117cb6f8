import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { exportRoutes } from './routes.js';

export function exportOperations({ exports }: Pick<Container, 'exports'>): Operations<typeof exportRoutes> {
  return {
    marketingExport: async ({ body, actor }) => ({ status: 200, body: await exports.marketing(body, { actor, purpose: 'marketing' }) }),
    analysisExport: async ({ body, actor }) => ({ status: 200, body: await exports.analysis(body, { actor, purpose: 'analytics' }) }),
  };
}

export const createExportsHandler = (container: Pick<Container, 'exports'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(exportRoutes, exportOperations(container), options);
