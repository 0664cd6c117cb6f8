import { awsAuditAnchor } from '../../shared/runtime/aws-adapters.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createAuditHandler } from './handler.js';

/** Lambda entry point of the audit context: verification reads the checkpoint bucket. */
export const handler = await lambdaHttpEntry('audit', createAuditHandler, awsAuditAnchor);
