import { analysisExportResult, analysisExportSchema, marketingExportResult, marketingExportSchema } from '../../shared/contexts/exports/index.js';
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
    operationId: 'createMarketingExport',
    summary: 'Customers with current marketing consent, not restricted or objecting, with the fields marketing may use',
    description:
      "A page of the segment's customers who currently consent to marketing and have neither restricted processing nor objected, with only the fields marketing may use (CON-3). Every export is recorded in the audit trail.",
    roles: ['admin', 'dpo', 'marketer'],
    body: marketingExportSchema,
    responses: { 200: { description: 'A page of the segment', schema: marketingExportResult }, ...problems },
  },
  analysisExport: {
    method: 'POST',
    path: '/v1/exports/analysis',
    download: true,
    context,
    operationId: 'createAnalysisExport',
    summary: 'Pseudonymized classification of customers with current analytics consent; pseudonyms unlinkable across exports unless asked',
    description:
      'The classification of customers who consent to analytics, under pseudonyms that differ from export to export unless asked otherwise (CON-5). A large export answers 303 with a link.',
    roles: ['admin', 'dpo', 'analyst'],
    body: analysisExportSchema,
    responses: { 200: { description: 'The export', schema: analysisExportResult }, ...problems },
  },
});
