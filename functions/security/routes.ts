import { findingPageSchema, listFindingsQuery } from '../../shared/contexts/security/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'security';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'Only administrators and the data-protection officer read findings' },
};

/** Unusual access (SEC-6): what the detector found in the audit trail. */
export const securityRoutes = defineRoutes({
  listSecurityFindings: {
    method: 'GET',
    path: '/v1/security/findings',
    context,
    operationId: 'listSecurityFindings',
    summary: 'Findings of unusual access, newest hour first, by rule, level and hour',
    description:
      'What the access detector raised from the audit trail as it was written: one finding per rule, subject and hour (`read-rate`, `bulk-export`, `off-hours`, ' +
      '`failed-codes-contact`, `failed-codes-source`, `token-many-customers`), with the count observed, the threshold it crossed (and the baselines behind it) and ' +
      'the draft incident it opened at the configured level. Subjects are actor ids, pseudonymous sources (`source:<hash>`) or customer ids: never contact details. ' +
      'Filter by `rule`, `level` and the hour counted (`from`, `to`). Each call is audited.',
    roles: ['admin', 'dpo'],
    query: listFindingsQuery,
    responses: { 200: { description: 'A page of findings', schema: findingPageSchema }, ...problems },
  },
});
