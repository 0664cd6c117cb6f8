import { auditPageSchema, listAuditQuery, verificationReportSchema, verifyAuditBody } from '../../shared/audit/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'audit';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'Only auditors and the data-protection officer read the trail' },
};

/** The audit trail (SEC-4): read by target or actor, and verified on demand. */
export const auditRoutes = defineRoutes({
  listAudit: {
    method: 'GET',
    path: '/v1/audit',
    context,
    summary: 'Audit entries of a target or an actor, newest first, optionally within a time window',
    roles: ['auditor', 'dpo'],
    query: listAuditQuery,
    responses: { 200: { description: 'A page of entries', schema: auditPageSchema }, ...problems },
  },
  verifyAudit: {
    method: 'POST',
    path: '/v1/audit/verify',
    context,
    summary: 'Verify every chain over a time window (at most 31 days); names the first entry that fails',
    roles: ['auditor', 'dpo'],
    body: verifyAuditBody,
    responses: { 200: { description: 'The verification report', schema: verificationReportSchema }, ...problems },
  },
});
