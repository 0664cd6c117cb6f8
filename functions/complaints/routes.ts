import {
  complaintIdParams,
  complaintPageSchema,
  complaintSchema,
  complaintTransitionSchema,
  createComplaintSchema,
  listComplaintsQuery,
} from '../../shared/contexts/complaints/index.js';
import { defineRoutes } from '../http/route.js';
import { complaintPolicyRoutes } from './policy-routes.js';

const context = 'complaints';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route or take this action (a privacy complaint, once acknowledged, is the DPO\'s: `field` is `action`)' },
};
const staff = ['admin', 'dpo', 'agent'] as const;

/** Complaints (CMP-1 to CMP-3): intake, workflow, time limits; and the policies they follow. */
export const complaintRoutes = defineRoutes({
  createComplaint: {
    method: 'POST',
    path: '/v1/complaints',
    context,
    operationId: 'createComplaint',
    summary: 'Take in a complaint from any channel; the customer is sent its reference and when they will hear back',
    description:
      "Registers a customer's complaint as received on a channel (phone, online form, email, in person, social media, letter, regulator), with a category from the complaint policies and a severity. It gets a reference (`TS-<year>-<number>`) and its time limits (acknowledge, first response, resolve) in business time of the policies' calendar. The customer is sent an acknowledgement in the complaint's language naming the reference and the first-response deadline; if it cannot be sent the complaint is still registered, its notice `pending`, and it is retried. Privacy complaints go to the `data-protection` department. Subject, description and desired outcome are stored encrypted. Send an `Idempotency-Key` to retry safely: the same key and body answer the first result.",
    roles: staff,
    body: createComplaintSchema,
    idempotencyKey: true,
    responses: {
      201: { description: 'Registered (or replayed for a repeated Idempotency-Key)', schema: complaintSchema, headers: { ETag: 'required', Location: 'required', 'Idempotent-Replayed': 'optional' } },
      ...problems,
      404: { description: 'No such customer (`field`: `customerId`)' },
      422: { description: 'Idempotency-Key reused with another body' },
    },
  },
  listComplaints: {
    method: 'GET',
    path: '/v1/complaints',
    context,
    operationId: 'listComplaints',
    summary: 'Complaints, newest first (a customer\'s in no particular order), by status, category, severity, department, assignee or customer; `overdue=true`, `dueBefore`',
    description:
      'Complaints, newest first, filtered by status, category, severity, department, assignee or customer (a customer\'s are listed in no particular order). `overdue=true` lists the open ones with a missed deadline not yet done, longest overdue first; `dueBefore` the open ones with something falling due (a deadline, an escalation level, a retry) by then, soonest first.',
    roles: staff,
    query: listComplaintsQuery,
    responses: { 200: { description: 'A page of complaints', schema: complaintPageSchema }, ...problems },
  },
  getComplaint: {
    method: 'GET',
    path: '/v1/complaints/{id}',
    context,
    operationId: 'getComplaint',
    summary: 'One complaint with its milestones, escalations, notices and history',
    description: 'One complaint with its milestones, escalations, the notices sent to the customer and every step of its history: who did what, when, and why.',
    roles: staff,
    params: complaintIdParams,
    responses: { 200: { description: 'The complaint', schema: complaintSchema, headers: { ETag: 'required' } }, ...problems, 404: { description: 'No such complaint' } },
  },
  transitionComplaint: {
    method: 'POST',
    path: '/v1/complaints/{id}/transitions',
    context,
    operationId: 'transitionComplaint',
    summary: 'acknowledge, assign, start, wait, resume, resolve, follow-up, close, reopen',
    description:
      "Takes a workflow action: `acknowledge`; `assign` (with `assignee`, optionally `department`, one of the policies' departments; a privacy complaint's is `data-protection`; also to reassign); `start`; `wait` on the customer (the time limits pause) and `resume` (they move on by the business time waited); `resolve` (with `resolution`, stored encrypted, and `rootCause`, a code of the policies' root causes; the customer is sent the resolution); `follow-up` (with `outcome`, and `rating` 1-5 unless `unreachable`, when no rating is taken); `close`; `reopen` (with `reason`, within the policies' reopen window after resolution; escalation starts again from level 1). An action that does not apply answers 409 naming `action` and listing `allowedActions`. Send the ETag as `If-Match` to act only on the version read (412 if it changed); without it the action is taken on the complaint as it is when written.",
    roles: staff,
    params: complaintIdParams,
    body: complaintTransitionSchema,
    ifMatch: 'optional',
    responses: {
      200: { description: 'The complaint in its new status', schema: complaintSchema, headers: { ETag: 'required' } },
      ...problems,
      404: { description: 'No such complaint' },
      409: { description: 'The action does not apply to the complaint in its status, or its reopen window has passed (`field`: `action`; `allowedActions` lists those that do)' },
      412: { description: 'The complaint changed meanwhile' },
    },
  },
  ...complaintPolicyRoutes,
});
