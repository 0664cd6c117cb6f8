import { lambdaHttpEntry } from '../http/entry.js';
import { createAuditHandler } from './handler.js';

/** Lambda entry point of the audit context. */
export const handler = await lambdaHttpEntry('audit', createAuditHandler);
