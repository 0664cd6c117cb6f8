import { complaintPoliciesSchema, putComplaintPoliciesSchema } from '../../shared/contexts/complaints/policy-schemas.js';
import type { Container } from '../../shared/runtime/index.js';
import type { Operations } from '../http/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'complaints';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong, e.g. `rules.0.limits.resolve`' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
};

/** Complaint categories, time limits and escalation (CMP-3): one versioned document. */
export const complaintPolicyRoutes = defineRoutes({
  getComplaintPolicies: {
    method: 'GET',
    path: '/v1/complaint-policies',
    context,
    operationId: 'getComplaintPolicies',
    summary: 'Complaint categories, time limits per severity and category, escalation; ETag carries the version',
    description:
      'The policies in force: categories (privacy ones go to the data-protection officer), the acknowledge, first-response, resolve and follow-up limits in business minutes of the calendar per severity (a rule naming a category overrides its severity for that category), the business minutes after a missed deadline before the department lead and then management are told, who they are, and the reopen window. Version 0 is the built-in default. Send the ETag back as `If-Match` to replace it.',
    roles: ['admin', 'dpo', 'agent', 'analyst'],
    responses: { 200: { description: 'The policies in force', schema: complaintPoliciesSchema, headers: { ETag: 'required' } }, ...problems },
  },
  putComplaintPolicies: {
    method: 'PUT',
    path: '/v1/complaint-policies',
    context,
    operationId: 'putComplaintPolicies',
    summary: 'Replace the complaint policies (If-Match or `version` to guard the change)',
    description:
      'Replaces the whole document. Every limit is a whole number of business minutes from 1 to 525600, every severity needs a rule without a category, categories are unique and rules name listed ones. Send the version you read as `If-Match` (or as `version`): a document changed meanwhile answers 412.',
    roles: ['admin'],
    body: putComplaintPoliciesSchema,
    ifMatch: 'optional',
    responses: {
      200: { description: 'The policies now in force', schema: complaintPoliciesSchema, headers: { ETag: 'required' } },
      ...problems,
      412: { description: 'The policies changed since the version sent' },
    },
  },
});

export function complaintPolicyOperations({ complaintPolicies }: Pick<Container, 'complaintPolicies'>): Operations<typeof complaintPolicyRoutes> {
  return {
    getComplaintPolicies: async () => {
      const policies = await complaintPolicies.current();
      return { status: 200, body: policies, headers: { etag: `"${policies.version}"` } };
    },
    putComplaintPolicies: async ({ body, ifMatch, actor }) => {
      const policies = await complaintPolicies.put(body, { actor, purpose: 'administration' }, ifMatch);
      return { status: 200, body: policies, headers: { etag: `"${policies.version}"` } };
    },
  };
}
