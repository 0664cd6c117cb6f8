import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { auditRoutes } from './routes.js';

export function auditOperations({ audit, subjects }: Pick<Container, 'audit' | 'subjects'>): Operations<typeof auditRoutes> {
  return {
    listAudit: async ({ query }) => {
      const by = query.targetId !== undefined ? { target: { type: query.targetType ?? 'customer', id: query.targetId } } : { actor: query.actor! };
      const window = { ...(query.from ? { from: query.from } : {}), ...(query.to ? { to: query.to } : {}) };
      return { status: 200, body: await audit.list(by, window, { limit: query.limit ?? 50, ...(query.cursor ? { cursor: query.cursor } : {}) }) };
    },
    verifyAudit: async ({ body: { cursor, ...window } }) => ({ status: 200, body: await audit.verify(window, subjects, cursor) }),
  };
}

export const createAuditHandler = (container: Pick<Container, 'audit' | 'subjects'>, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(auditRoutes, auditOperations(container), options);
