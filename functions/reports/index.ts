import { complaintReportsOf, improvementsOf } from '../../shared/runtime/services/reports.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createReportsHandler } from './handler.js';

/** Lambda entry point of the reports context. */
export const handler = await lambdaHttpEntry('reports', (w) => ({ complaintReports: complaintReportsOf(w), improvements: improvementsOf(w) }), createReportsHandler);
