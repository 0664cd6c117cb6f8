import { awsAuditAnchor } from '../../shared/runtime/aws-adapters.js';
import { subjectsOf } from '../../shared/runtime/services/erasure.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createAuditHandler } from './handler.js';

/** Lambda entry point of the audit context: verification reads the checkpoint bucket. */
export const handler = await lambdaHttpEntry('audit', (w) => ({ subjects: subjectsOf(w) }), createAuditHandler, awsAuditAnchor);
