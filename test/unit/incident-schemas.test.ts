import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { parse } from '../../functions/http/validation.js';
import {
  addStepSchema,
  changeDeadlineSchema,
  createIncidentSchema,
  incidentReportParams,
  incidentTimeIssues,
  incidentTransitionSchema,
  listIncidentsQuery,
  scopeSourceSchema,
  submissionSchema,
  updateStepSchema,
} from '../../shared/contexts/incidents/index.js';
import { ValidationError } from '../../shared/platform/errors/index.js';

/** Incident inputs (BR-1 to BR-4): bad input answers 400 naming the field. */
const incident = (over: Record<string, unknown> = {}) => ({
  title: 'Export left on a share',
  description: 'A report file was readable by all staff.',
  source: 'staff',
  occurredAt: '2026-12-03T08:00:00Z',
  discoveredAt: '2026-12-04T08:00:00+08:00',
  awareAt: '2026-12-04T01:30:00Z',
  severity: 'high',
  ...over,
});
const assess = { action: 'assess', highRisk: true, consequences: 'Phishing', cause: 'A share', advice: 'Ignore mails', exposure: { sealedFields: [], clearFields: ['email'], keysExposed: false } };

/** The fields a body's problem names, as the HTTP layer answers them. */
function fields(schema: z.ZodMiniType, value: unknown): string[] {
  try {
    parse(schema, value, 'body');
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => i.field);
  }
}

describe('incident creation', () => {
  it('accepts an incident and keeps its times in UTC', () => {
    expect(fields(createIncidentSchema, incident())).toEqual([]);
    const parsed = parse(createIncidentSchema, incident(), 'body');
    expect(parsed.discoveredAt).toBe('2026-12-04T00:00:00.000Z');
    expect(parsed.awareAt).toBe('2026-12-04T01:30:00.000Z');
    expect(fields(createIncidentSchema, incident({ source: 'drill', drill: true, dataCategories: ['contact', 'identity'], systems: ['crm'], jurisdictions: ['CN', 'EU'] }))).toEqual([]);
  });

  it('refuses awareness before discovery and discovery before the breach', () => {
    expect(fields(createIncidentSchema, incident({ awareAt: '2026-12-03T23:00:00Z' }))).toEqual(['awareAt']);
    expect(fields(createIncidentSchema, incident({ occurredAt: '2026-12-05T00:00:00Z', awareAt: '2026-12-05T01:00:00Z' }))).toEqual(['discoveredAt']);
  });

  it('refuses awareness in the future (checked against the clock)', () => {
    const now = new Date('2026-12-04T02:00:00.000Z');
    expect(incidentTimeIssues({ discoveredAt: '2026-12-04T00:00:00.000Z', awareAt: '2026-12-04T03:00:00.000Z' }, now).map((i) => i.field)).toEqual(['awareAt']);
    expect(incidentTimeIssues({ discoveredAt: '2026-12-04T00:00:00.000Z', awareAt: '2026-12-04T02:00:00.000Z' }, now)).toEqual([]);
  });

  it('refuses unknown fields, missing ones, times without an offset and a drill mark without the drill source', () => {
    expect(fields(createIncidentSchema, incident({ customerName: 'Zhang San' }))).toEqual(['customerName']);
    const { title: _title, ...untitled } = incident();
    expect(fields(createIncidentSchema, untitled)).toEqual(['title']);
    expect(fields(createIncidentSchema, incident({ awareAt: '2026-12-04 01:30' }))).toContain('awareAt');
    expect(fields(createIncidentSchema, incident({ drill: true }))).toEqual(['drill']);
    expect(fields(createIncidentSchema, incident({ source: 'drill' }))).toEqual(['drill']);
    expect(fields(createIncidentSchema, incident({ title: 'x'.repeat(201) }))).toEqual(['title']);
    expect(fields(createIncidentSchema, incident({ title: '   ' }))).toEqual(['title']);
    expect(fields(createIncidentSchema, incident({ dataCategories: ['contact', 'contact'] }))).toEqual(['dataCategories']);
    expect(fields(createIncidentSchema, incident({ systems: Array.from({ length: 51 }, (_, i) => `s${i}`) }))).toEqual(['systems']);
  });
});

describe('incident transitions', () => {
  it('takes one body per action, strict', () => {
    expect(fields(incidentTransitionSchema, assess)).toEqual([]);
    expect(fields(incidentTransitionSchema, { action: 'contain', measures: 'Share closed' })).toEqual([]);
    expect(fields(incidentTransitionSchema, { action: 'notify' })).toEqual([]);
    expect(fields(incidentTransitionSchema, { action: 'close', lessons: 'Narrow shares', explanations: { 'gdpr-33': 'Phoned in' } })).toEqual([]);
    expect(fields(incidentTransitionSchema, { action: 'contain' })).toEqual(['measures']);
    expect(fields(incidentTransitionSchema, { action: 'notify', measures: 'x' })).toEqual(['measures']);
    expect(fields(incidentTransitionSchema, { action: 'reopen' })).toEqual(['action']);
    expect(fields(incidentTransitionSchema, { ...assess, exposure: { sealedFields: [], clearFields: [], keysExposed: false, extra: 1 } })).toEqual(['exposure.extra']);
    expect(fields(incidentTransitionSchema, { action: 'close' })).toEqual(['lessons']);
  });

  it('needs a reason to move awareness or raise the grade', () => {
    expect(fields(incidentTransitionSchema, { ...assess, awareAt: '2026-12-04T01:00:00Z' })).toEqual(['reason']);
    expect(fields(incidentTransitionSchema, { ...assess, gradeOverride: 'major' })).toEqual(['reason']);
    expect(fields(incidentTransitionSchema, { ...assess, awareAt: '2026-12-04T01:00:00Z', gradeOverride: 'major', reason: 'Reviewed the logs' })).toEqual([]);
  });
});

describe('deadlines, steps, scope, submissions and queries', () => {
  it('refuses a deadline change without a reason', () => {
    expect(fields(changeDeadlineSchema, { dueAt: '2026-12-08T00:00:00Z', reason: 'Authority agreed' })).toEqual([]);
    expect(fields(changeDeadlineSchema, { dueAt: '2026-12-08T00:00:00Z' })).toEqual(['reason']);
    expect(fields(changeDeadlineSchema, { dueAt: '2026-12-08T00:00:00Z', reason: ' ' })).toEqual(['reason']);
  });

  it('takes the reasons for a delay alone, but not an empty change', () => {
    expect(fields(changeDeadlineSchema, { explanation: 'The processor told us on day 4' })).toEqual([]);
    expect(fields(changeDeadlineSchema, {})).toEqual(['dueAt']);
    expect(fields(changeDeadlineSchema, { reason: 'No new time' })).toEqual(['dueAt']);
  });

  it('bounds steps', () => {
    expect(fields(addStepSchema, { action: 'Rotate keys', owner: 'ops-1', dueOn: '2026-12-10' })).toEqual([]);
    expect(fields(addStepSchema, { action: 'Rotate keys', owner: 'ops 1', dueOn: '10/12/2026' })).toEqual(['owner', 'dueOn']);
    expect(fields(updateStepSchema, { status: 'finished' })).toEqual(['status']);
    expect(fields(updateStepSchema, { status: 'done', note: 'x' })).toEqual(['note']);
  });

  it('takes one scope source, its window in order, at most 1,000 customers', () => {
    expect(fields(scopeSourceSchema, { by: 'actor', actor: 'agent-7', from: '2026-12-01T00:00:00Z', to: '2026-12-02T00:00:00Z' })).toEqual([]);
    expect(fields(scopeSourceSchema, { by: 'actor', actor: 'agent-7', from: '2026-12-02T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toEqual(['to']);
    expect(fields(scopeSourceSchema, { by: 'segment', segment: { region: 'CN-SH' } })).toEqual([]);
    expect(fields(scopeSourceSchema, { by: 'segment', segment: { city: 'Shanghai' } })).toEqual(['segment.city']);
    const ids = Array.from({ length: 1001 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(fields(scopeSourceSchema, { by: 'customers', customerIds: ids.slice(0, 1000) })).toEqual([]);
    expect(fields(scopeSourceSchema, { by: 'customers', customerIds: ids })).toEqual(['customerIds']);
    expect(fields(scopeSourceSchema, { by: 'customers', customerIds: ['not-a-uuid'] })).toEqual(['customerIds.0']);
  });

  it('checks submissions, report regimes and listing filters', () => {
    expect(fields(submissionSchema, { phase: 'initial', submittedAt: '2026-12-04T05:00:00Z', recipient: 'CNIL', reference: 'N-123' })).toEqual([]);
    expect(fields(submissionSchema, { phase: 'initial', submittedAt: '2026-12-04T05:00:00Z', recipient: 'CNIL' })).toEqual(['reference']);
    expect(fields(incidentReportParams, { id: '5f0c3f5e-3b7e-4d7e-9a51-1d2c3b4a5e6f', jurisdiction: 'ccpa' })).toEqual(['jurisdiction']);
    expect(parse(listIncidentsQuery, { drill: 'true', limit: '20' }, 'query')).toEqual({ drill: 'true', limit: 20 });
    expect(fields(listIncidentsQuery, { limit: '500' })).toEqual(['limit']);
    expect(fields(listIncidentsQuery, { owner: 'x' })).toEqual(['owner']);
  });
});
