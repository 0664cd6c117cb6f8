import { auditPageSchema, listAuditQuery, verificationReportSchema, verifyAuditBody } from '../../shared/platform/audit/index.js';
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
    operationId: 'listAuditEntries',
    summary: 'Audit entries of a target or an actor, newest first, optionally within a time window',
    description:
      'Entries about one target (a customer, purpose, interaction or partner) or by one actor, newest first, optionally within a time window.',
    roles: ['auditor', 'dpo'],
    query: listAuditQuery,
    responses: { 200: { description: 'A page of entries', schema: auditPageSchema }, ...problems },
  },
  verifyAudit: {
    method: 'POST',
    path: '/v1/audit/verify',
    context,
    operationId: 'verifyAuditTrail',
    summary: 'Verify every chain over a time window (at most 31 days), a page of work per call; names the first entry that fails',
    description:
      'Checks every chain of the trail over a time window: each entry\'s MAC under the audit key, each link, no gap, and on the first call ' +
      'every chain\'s head against the latest checkpoint (which shows entries removed from the end of a chain). One call checks at most ' +
      '5,000 entries; while work remains the answer carries `next`: send the same window with `cursor` set to it to continue. The ' +
      'verification is complete, and passed, when an answer has `ok: true` and no `next`. A failure stops it and is named in `firstFailure`. ' +
      '`legacyEntries` counts entries written before chains were keyed (plain SHA-256, format kehu-audit-1): their hashes and links ' +
      'are checked, but someone who can write the table could recompute them.',
    roles: ['auditor', 'dpo'],
    body: verifyAuditBody,
    responses: {
      200: { description: 'The verification report of this call; `next` while work remains', schema: verificationReportSchema },
      ...problems,
      400: { description: 'Invalid input; `field` names what is wrong (`to` for a range over 31 days, `cursor` for one not issued for this window)' },
    },
  },
});
