import { policiesSchema, putPoliciesSchema, sweepResultSchema } from '../../shared/contexts/retention/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'retention';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
};

/** Retention rules and sweeps (RET-1, RET-2). */
export const retentionRoutes = defineRoutes({
  getPolicies: {
    method: 'GET',
    path: '/v1/retention/policies',
    context,
    operationId: 'getRetentionPolicies',
    summary: 'Retention rules per data category',
    description: 'How long each category of data is kept, and from which event.',
    roles: ['admin', 'dpo', 'auditor'],
    responses: { 200: { description: 'The rules', schema: policiesSchema }, ...problems },
  },
  putPolicies: {
    method: 'PUT',
    path: '/v1/retention/policies',
    context,
    operationId: 'putRetentionPolicies',
    summary: 'Replace the retention rules',
    description: 'Replaces every rule at once; sweeps apply the rules in force (RET-1).',
    roles: ['admin', 'dpo'],
    body: putPoliciesSchema,
    responses: { 200: { description: 'The rules in force', schema: policiesSchema }, ...problems },
  },
  runSweep: {
    method: 'POST',
    path: '/v1/retention/sweeps',
    context,
    operationId: 'runRetentionSweep',
    summary: 'Run a sweep now: destroy expired interactions, queue expired customers for erasure',
    description:
      'Applies the rules now rather than at the scheduled time: destroys expired interactions with certificates and hands expired customers to erasure (RET-2).',
    roles: ['admin', 'dpo'],
    responses: { 200: { description: 'What the sweep did', schema: sweepResultSchema }, ...problems },
  },
});
