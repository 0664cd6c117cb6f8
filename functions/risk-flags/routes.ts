import {
  customerIdParams,
  customerRiskFlagsQuery,
  listRiskFlagsQuery,
  riskFlagIdParams,
  riskFlagPageSchema,
  riskFlagSchema,
  riskFlagTransitionSchema,
} from '../../shared/contexts/risk-flags/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'risk-flags';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
};
const staff = ['admin', 'dpo', 'agent'] as const;

/** Risk flags (SAT-3, AN-3): customers to call back after a low score or a troubled complaint. */
export const riskFlagRoutes = defineRoutes({
  listRiskFlags: {
    method: 'GET',
    path: '/v1/reports/risk',
    context,
    operationId: 'listRiskFlags',
    summary: 'Risk flags of a status (open unless named), oldest first, by reason and assignee',
    description:
      'Customers flagged for a call back: a low NPS or CSAT answer (by the survey\'s thresholds), a complaint reopened twice or more, a complaint followed up and found unsatisfied. Each flag names its reason and source (the survey answer with its score, or the complaint). Listed oldest first through an index by status (`open` unless named), by reason or by assignee.',
    roles: staff,
    query: listRiskFlagsQuery,
    responses: { 200: { description: 'A page of risk flags', schema: riskFlagPageSchema }, ...problems },
  },
  getRiskFlag: {
    method: 'GET',
    path: '/v1/risk-flags/{id}',
    context,
    operationId: 'getRiskFlag',
    summary: 'One risk flag',
    description: 'One risk flag with its reason, source, assignee, and once closed the outcome of the call, its note and the complaint it opened.',
    roles: staff,
    params: riskFlagIdParams,
    responses: { 200: { description: 'The risk flag', schema: riskFlagSchema, headers: { ETag: 'required' } }, ...problems, 404: { description: 'No such risk flag' } },
  },
  transitionRiskFlag: {
    method: 'POST',
    path: '/v1/risk-flags/{id}/transitions',
    context,
    operationId: 'transitionRiskFlag',
    summary: 'assign, close (with the outcome of the call; optionally opening a complaint)',
    description:
      "`assign` (with `assignee`; also to reassign) or `close` with the call's `outcome` (`resolved`, `unreachable`, `declined`, `complaint-opened`) and an optional `note`, stored encrypted. With `complaint` (`category`, `severity`, `channel`, `subject`, `description`, `language`) the outcome must be `complaint-opened`: the complaint is opened for the flag's customer (acknowledged to them as any intake) and the flag closed naming it; a retried close opens no second complaint. An action that does not apply answers 409 naming `action` and listing `allowedActions`. Send the ETag as `If-Match` to act only on the version read (412 if it changed).",
    roles: staff,
    params: riskFlagIdParams,
    body: riskFlagTransitionSchema,
    ifMatch: 'optional',
    responses: {
      200: { description: 'The risk flag in its new status', schema: riskFlagSchema, headers: { ETag: 'required' } },
      ...problems,
      404: { description: 'No such risk flag, or the customer is gone (`field`: `customerId`)' },
      409: { description: 'The action does not apply to the flag in its status (`field`: `action`; `allowedActions` lists those that do)' },
      412: { description: 'The risk flag changed meanwhile' },
      422: { description: 'A retried close sent another complaint than the first' },
    },
  },
  listCustomerRiskFlags: {
    method: 'GET',
    path: '/v1/customers/{id}/risk-flags',
    context,
    operationId: 'listCustomerRiskFlags',
    summary: "A customer's risk flags",
    description: "Every risk flag of one customer, whatever its status, as shown on the customer record to staff who may see it.",
    roles: staff,
    params: customerIdParams,
    query: customerRiskFlagsQuery,
    responses: { 200: { description: "A page of the customer's risk flags", schema: riskFlagPageSchema }, ...problems },
  },
});
