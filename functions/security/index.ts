import { securityFindingsOf } from '../../shared/runtime/services/security.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createSecurityHandler } from './handler.js';

/** Lambda entry point of the security context: findings of unusual access. */
export const handler = await lambdaHttpEntry('security', (w) => ({ securityFindings: securityFindingsOf(w) }), createSecurityHandler);
