import { analysisExportResult, analysisExportSchema, marketingExportResult, marketingExportSchema } from '../../shared/exports/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'exports';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not export, or asked for a field the purpose may not use' },
  404: { description: 'The purpose is not defined' },
};

/** Purpose-bound exports (CON-3, CON-5). */
export const exportRoutes = defineRoutes({
  marketingExport: {
    method: 'POST',
    path: '/v1/exports/marketing',
    context,
    summary: 'Customers with current marketing consent, not restricted or objecting, with the fields marketing may use',
    roles: ['admin', 'dpo', 'marketer'],
    body: marketingExportSchema,
    responses: { 200: { description: 'A page of the segment', schema: marketingExportResult }, ...problems },
  },
  analysisExport: {
    method: 'POST',
    path: '/v1/exports/analysis',
    download: true,
    context,
    summary: 'Pseudonymized classification of customers with current analytics consent; pseudonyms unlinkable across exports unless asked',
    roles: ['admin', 'dpo', 'analyst'],
    body: analysisExportSchema,
    responses: { 200: { description: 'The export', schema: analysisExportResult }, ...problems },
  },
});
