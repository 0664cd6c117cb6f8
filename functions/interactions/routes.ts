import { customerIdParams, pageQuery } from '../../shared/contexts/customers/index.js';
import { createInteractionSchema, interactionPageSchema, interactionSchema } from '../../shared/contexts/interactions/index.js';
import { defineRoutes } from '../http/route.js';

const context = 'interactions';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
  404: { description: 'No such customer' },
};

/** Interaction records (INT-1 to INT-3). */
export const interactionRoutes = defineRoutes({
  createInteraction: {
    method: 'POST',
    path: '/v1/customers/{id}/interactions',
    context,
    operationId: 'createInteraction',
    summary: 'Record an interaction; its content hash is fixed in the audit trail (INT-3)',
    description:
      "Records a call, message or meeting with the customer. Its content is sealed under the customer's key and its hash fixed in the audit trail, so a later change shows (INT-3).",
    roles: ['admin', 'agent'],
    params: customerIdParams,
    body: createInteractionSchema,
    responses: { 201: { description: 'Recorded', schema: interactionSchema }, ...problems },
  },
  listInteractions: {
    method: 'GET',
    path: '/v1/customers/{id}/interactions',
    context,
    operationId: 'listInteractions',
    summary: "A customer's interactions, newest first",
    description: "The customer's interactions, newest first, a page at a time.",
    roles: ['admin', 'dpo', 'agent'],
    params: customerIdParams,
    query: pageQuery,
    responses: {
      200: {
        description: 'A page of interactions; one whose stored content failed its integrity check is listed as `{id, customerId, occurredAt, integrity: "failed"}`',
        schema: interactionPageSchema,
      },
      ...problems,
    },
  },
});
