import * as z from 'zod/mini';
import { defineRoutes } from '../http/route.js';

const context = 'platform';

export const platformRoutes = defineRoutes({
  health: {
    method: 'GET',
    path: '/v1/health',
    context,
    summary: 'Liveness',
    roles: 'public',
    responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok'), version: z.string() }) } },
  },
  openApi: {
    method: 'GET',
    path: '/v1/openapi.json',
    context,
    summary: 'This OpenAPI 3.1 document',
    roles: 'public',
    responses: { 200: { description: 'The document' } },
  },
});
