import {
  complaintReportQuery,
  complaintReportSchema,
  createImprovementSchema,
  improvementActionSchema,
  improvementIdParams,
  improvementPageSchema,
  listImprovementsQuery,
  updateImprovementSchema,
} from '../../shared/contexts/complaints/report-schemas.js';
import { defineRoutes } from '../http/route.js';

const context = 'reports';
const problems = {
  400: { description: 'Invalid input; `field` names what is wrong' },
  401: { description: 'No valid token' },
  403: { description: 'The role may not use this route' },
};

/** The complaints report and the improvement actions recorded against complaint causes (CMP-4). */
export const reportRoutes = defineRoutes({
  complaintReport: {
    method: 'GET',
    path: '/v1/reports/complaints',
    context,
    operationId: 'getComplaintReport',
    summary: 'Complaints by period: counts by category, channel, department and severity, times, limits met, satisfaction, top causes',
    description:
      "A chart-ready summary of the complaints from `from` to `to` (local dates of the complaint calendar's time zone, inclusive, at most 366 days), one entry per `interval` (day, ISO week or month) and the totals: complaints received by category, channel and severity; routed to each department; acknowledged and resolved; minutes from receipt to acknowledgement and to resolution (elapsed wall-clock minutes, as percentiles read from fixed buckets: `p50: 60` means half took at most 60 minutes; null beyond 30 days); the share of time limits met; reopenings per resolution; follow-ups, satisfaction and mean rating; escalations by level; the top root causes. Each event is counted on the day it happened. The improvement actions open during the range or done within it come with their measured effect, the newest first while the days those effects read outside the range stay within 366; older ones are listed without. Built from counters that hold no customer data, so it stays whole after any erasure.",
    roles: ['admin', 'dpo', 'analyst', 'auditor'],
    query: complaintReportQuery,
    responses: { 200: { description: 'The report', schema: complaintReportSchema }, ...problems },
  },
  createImprovementAction: {
    method: 'POST',
    path: '/v1/improvement-actions',
    context,
    operationId: 'createImprovementAction',
    summary: 'Record an improvement action against a root cause or a complaint category',
    description:
      'Records what will be done about a root cause (`cause`) or a category of complaints (`category`), by whom (`owner`, a staff id) and by when. Its effect is measured from the complaint counters: those with the cause (or, without one, of the category) in the `effectDays` (default 30, at most 90) local days before it was created, beside as many days after it is done. The text is the organisation\'s own: write no customer\'s details in it.',
    roles: ['admin', 'agent', 'analyst'],
    body: createImprovementSchema,
    responses: { 201: { description: 'Recorded', schema: improvementActionSchema, headers: { Location: 'required' } }, ...problems },
  },
  listImprovementActions: {
    method: 'GET',
    path: '/v1/improvement-actions',
    context,
    operationId: 'listImprovementActions',
    summary: 'Improvement actions, newest first, optionally by status',
    description: 'Improvement actions, newest first, optionally by `status`, without their effect: GET one action (or the report) for its before and after counts.',
    roles: ['admin', 'agent', 'analyst', 'dpo', 'auditor'],
    query: listImprovementsQuery,
    responses: { 200: { description: 'A page of improvement actions', schema: improvementPageSchema }, ...problems },
  },
  getImprovementAction: {
    method: 'GET',
    path: '/v1/improvement-actions/{id}',
    context,
    operationId: 'getImprovementAction',
    summary: 'One improvement action with its measured effect',
    description: 'One improvement action with its effect so far.',
    roles: ['admin', 'agent', 'analyst', 'dpo', 'auditor'],
    params: improvementIdParams,
    responses: { 200: { description: 'The improvement action', schema: improvementActionSchema }, ...problems, 404: { description: 'No such improvement action' } },
  },
  updateImprovementAction: {
    method: 'PUT',
    path: '/v1/improvement-actions/{id}',
    context,
    operationId: 'updateImprovementAction',
    summary: 'Change the status, text, owner or due date of an improvement action',
    description:
      'Changes the status (planned, in-progress, done), text, owner or due date of an improvement action at the `version` read. Marking it done starts the period its effect is measured over; moving it back from done clears that.',
    roles: ['admin', 'agent', 'analyst'],
    params: improvementIdParams,
    body: updateImprovementSchema,
    responses: {
      200: { description: 'The improvement action as changed', schema: improvementActionSchema },
      ...problems,
      404: { description: 'No such improvement action' },
      412: { description: 'The action changed meanwhile (`field`: `version`)' },
    },
  },
});
