import { buildOpenApi, type ApiInfo, type ContextTags } from '../http/openapi.js';
import { apiVersion, routeTable } from '../routes.js';

const info: ApiInfo = {
  title: 'Kehu customer-data API',
  version: apiVersion,
  contact: { name: 'The operator of this Kehu deployment' },
  description: `Customer records kept the way data-protection law (PIPL, GDPR) and a customer-management policy demand: collected with a stated purpose and lawful basis, encrypted per customer, traced in a tamper-evident audit trail, and shown to each role only as far as its purpose needs.

**Tokens.** Staff send a Cognito access token (\`Authorization: Bearer ...\`); the groups in it are their roles, and each operation names the roles it allows. Customers sign in with a one-time code (\`POST /v1/self/verification\`, then \`POST /v1/self/session\`) and use that token on the \`/v1/self\` operations.

**Errors** are problem details (RFC 9457, \`application/problem+json\`) with a stable \`type\`, and \`field\` naming the input at fault. Answers API Gateway gives before a function sees the request (throttling, a refused token, a body over 10 MB) are \`{"message": ...}\`.

**Versions.** Records answer an \`ETag\`; send it back as \`If-Match\` to change them, and a 412 says someone changed the record first. **Creates** accept an \`Idempotency-Key\` where noted, so a retry never creates twice. **Lists** answer a page and an opaque \`cursor\` for the next one. **Large documents** (exports) answer 303 with a short-lived link when they outgrow an answer.`,
};

/** One tag per bounded context: what its operations are about. */
const contextTags: ContextTags = {
  platform: 'Liveness and the description of this API',
  customers: 'Customer records: collection basis, lookups through the blind index, changes with reasons, verification (CR-1 to CR-6)',
  interactions: 'Records of contacts with a customer, with content hashes fixed in the audit trail (INT-1 to INT-3)',
  consent: 'Processing purposes with their notice versions, consent decisions and renewals (CON-1, CON-2)',
  exports: 'Purpose-bound and pseudonymized exports (CON-3, CON-5)',
  sharing: 'Partners with agreements, and recorded shares of customer data (CON-4)',
  requests: 'Data-subject requests with legal deadlines: access, rectification, erasure, restriction, objection; destruction certificates (DSR-1 to DSR-5, RET-3)',
  complaints: 'Complaints from every channel: intake with a reference and acknowledgement, the workflow, time limits in business time with escalation, and the policies they follow (CMP-1 to CMP-3)',
  reports: 'Chart-ready reports from aggregates kept as records change (no scan, no personal data), and the improvement actions recorded against complaint causes (CMP-4)',
  retention: 'Retention rules per data category and sweeps (RET-1, RET-2)',
  'risk-flags': 'Customers flagged for a call back after a low survey score, a complaint reopened twice or followed up unsatisfied: listed by status, reason and assignee, assigned and closed with the outcome of the call (SAT-3, AN-3)',
  surveys: 'Satisfaction surveys: versioned definitions, dispatch to a segment through a queue, answers by signed link or customer token, results from aggregates by segment and wave (SAT-1, SAT-2)',
  incidents:
    'Breach incidents and drills: the record with its risk assessment, the affected customers found by a job, every legal deadline with its alerts, the reports regulators ask for with their submissions, notices to the people affected through a queue, remediation and closure (BR-1 to BR-4)',
  security: 'Unusual access found in the audit trail as it is written: findings per rule, subject and hour, which can open a draft incident (SEC-6)',
  self: "A customer's own data, consents, requests and complaints, with a token of their own",
  audit: 'The tamper-evident trail of every read and change, and its verification (SEC-4)',
};

let document: Record<string, unknown> | undefined;

/** The OpenAPI document of the whole API, built once per function instance. */
export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApi(routeTable, info, contextTags);
  return document;
}
