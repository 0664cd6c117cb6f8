import { describe, expect, it } from 'vitest';
import { defaultObligations } from '../../shared/contexts/incidents/obligations.js';
import {
  allowedIncidentActions,
  applyTransition,
  checkIncidentTransition,
  IncidentActionConflictError,
  type IncidentRecord,
  type IncidentTransitionInput,
  type NotificationProgress,
  type TransitionContext,
} from '../../shared/contexts/incidents/index.js';
import { ConflictError, ValidationError } from '../../shared/platform/errors/index.js';

/** The incident state machine (BR-4) and what each transition checks and records. */
const NOW = new Date('2026-12-04T12:00:00.000Z');
const notStarted: NotificationProgress = { affected: 0, pending: 0, queued: 0, sent: 0, failed: 0, undeliverable: 0, skipped: 0, state: 'not-started', drill: false };
const record = (over: Partial<IncidentRecord> = {}): IncidentRecord => ({
  id: '5f0c3f5e-3b7e-4d7e-9a51-1d2c3b4a5e6f',
  source: 'staff',
  draft: false,
  drill: false,
  occurredAt: '2026-12-03T08:00:00.000Z',
  discoveredAt: '2026-12-04T08:00:00.000Z',
  awareAt: '2026-12-04T09:00:00.000Z',
  dataCategories: ['contact'],
  systems: [],
  jurisdictions: [],
  severity: 'high',
  status: 'open',
  steps: [],
  history: [],
  deadlineChanges: {},
  explanations: {},
  met: {},
  alerted: {},
  createdAt: '2026-12-04T09:30:00.000Z',
  createdBy: 'dpo-1',
  updatedAt: '2026-12-04T09:30:00.000Z',
  version: 1,
  text: { title: 'Export left on a share', description: 'A report file was readable by all staff.', notes: {} },
  ...over,
});
const ctx = (over: Partial<TransitionContext> = {}): TransitionContext => ({
  at: NOW,
  by: 'dpo-1',
  runs: [],
  facts: { counts: { affected: 0, byRegion: {}, byJurisdiction: {}, byCategory: {} }, notifications: notStarted, now: NOW, obligations: defaultObligations, operatorType: 'ordinary' },
  ...over,
});
const assess: IncidentTransitionInput = {
  action: 'assess',
  highRisk: true,
  consequences: 'Phishing by mail',
  cause: 'A share opened too widely',
  advice: 'Ignore mails asking for passwords',
  exposure: { sealedFields: [], clearFields: ['email'], keysExposed: false },
};
const thrown = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as Error & { field?: string; extensions?: Record<string, unknown> };
  }
  throw new Error('expected a problem');
};

describe('incident state machine', () => {
  it('moves open, assessed, contained, notifying, remediated, closed in that order only', () => {
    const none = { individualsOwed: false };
    expect(checkIncidentTransition('open', 'assess', none)).toEqual({ ok: true, to: 'assessed' });
    expect(checkIncidentTransition('assessed', 'contain', none)).toEqual({ ok: true, to: 'contained' });
    expect(checkIncidentTransition('contained', 'notify', none)).toEqual({ ok: true, to: 'notifying' });
    expect(checkIncidentTransition('notifying', 'remediate', none)).toEqual({ ok: true, to: 'remediated' });
    expect(checkIncidentTransition('remediated', 'close', none)).toEqual({ ok: true, to: 'closed' });
    expect(checkIncidentTransition('open', 'contain', none)).toEqual({ ok: false });
    expect(checkIncidentTransition('assessed', 'assess', none)).toEqual({ ok: false });
    expect(checkIncidentTransition('notifying', 'notify', none)).toEqual({ ok: false });
    expect(checkIncidentTransition('closed', 'close', none)).toEqual({ ok: false });
    expect(allowedIncidentActions('closed', none)).toEqual([]);
    expect(allowedIncidentActions('open', none)).toEqual(['assess']);
  });

  it('skips notifying only when no individuals are owed a notice', () => {
    expect(checkIncidentTransition('contained', 'remediate', { individualsOwed: false })).toEqual({ ok: true, to: 'remediated' });
    expect(checkIncidentTransition('contained', 'remediate', { individualsOwed: true })).toEqual({ ok: false });
    expect(allowedIncidentActions('contained', { individualsOwed: true })).toEqual(['notify']);
    expect(allowedIncidentActions('contained', { individualsOwed: false })).toEqual(['notify', 'remediate']);
  });
});

describe('incident transitions', () => {
  it('assesses: the draft mark goes, intelligibility is derived, the reason kept in the sealed notes', () => {
    const next = applyTransition(record({ draft: true }), { ...assess, gradeOverride: 'major', reason: 'Press coverage' }, ctx());
    expect(next).toMatchObject({ status: 'assessed', draft: false, version: 2, gradeOverride: 'major', assessment: { highRisk: true, intelligible: true, assessedBy: 'dpo-1' } });
    expect(next.text).toMatchObject({ consequences: 'Phishing by mail', cause: 'A share opened too widely', advice: 'Ignore mails asking for passwords' });
    expect(next.text.notes).toEqual({ grade: 'Press coverage', 'history:0': 'Press coverage' });
    expect(next.history).toEqual([{ action: 'assess', from: 'open', to: 'assessed', at: NOW.toISOString(), by: 'dpo-1' }]);
    const sealed = applyTransition(record(), { ...assess, exposure: { sealedFields: ['email'], clearFields: [], keysExposed: false } }, ctx());
    expect(sealed.assessment?.intelligible).toBe(false);
    expect(applyTransition(record(), { ...assess, exposure: { sealedFields: ['email'], clearFields: [], keysExposed: true } }, ctx()).assessment?.intelligible).toBe(true);
  });

  it('refuses an awareness time in the future or before discovery, naming awareAt', () => {
    const future = thrown(() => applyTransition(record(), { ...assess, awareAt: '2026-12-05T00:00:00.000Z', reason: 'Later' }, ctx()));
    expect(future).toBeInstanceOf(ValidationError);
    expect(future.field).toBe('awareAt');
    const early = thrown(() => applyTransition(record(), { ...assess, awareAt: '2026-12-04T07:00:00.000Z', reason: 'Earlier' }, ctx()));
    expect(early.field).toBe('awareAt');
  });

  it('answers an action out of order with 409 naming action and listing what applies', () => {
    const error = thrown(() => applyTransition(record(), { action: 'close', lessons: 'None' }, ctx()));
    expect(error).toBeInstanceOf(IncidentActionConflictError);
    expect(error.field).toBe('action');
    expect(error.extensions).toEqual({ allowedActions: ['assess'] });
  });

  it('keeps a contained incident whose people must be told from skipping the notice', () => {
    const contained = record({ status: 'contained', jurisdictions: ['CN'], assessment: { highRisk: true, exposure: assess.exposure, intelligible: true, assessedAt: NOW.toISOString(), assessedBy: 'dpo-1' } });
    const error = thrown(() => applyTransition(contained, { action: 'remediate' }, ctx()));
    expect(error.extensions).toEqual({ allowedActions: ['notify'] });
    // Sealed data with the keys safe: PIPL Art. 57(2) spares the notice, so remediation may follow containment.
    const unintelligible = record({ ...contained, assessment: { ...contained.assessment!, exposure: { sealedFields: ['email'], clearFields: [], keysExposed: false }, intelligible: false } });
    const next = applyTransition(unintelligible, { action: 'remediate', reason: 'Sealed fields only' }, ctx());
    expect(next).toMatchObject({ status: 'remediated', handlingEndedAt: NOW.toISOString() });
  });

  it('notifies only once every scope run is done', () => {
    const contained = record({ status: 'contained' });
    const run = { id: 'r1', source: { by: 'customers' as const, customerIds: [] }, state: 'running' as const, read: 0, added: 0, pages: 0, startedAt: NOW.toISOString() };
    expect(thrown(() => applyTransition(contained, { action: 'notify' }, ctx({ runs: [run] }))).field).toBe('scope');
    expect(applyTransition(contained, { action: 'notify' }, ctx({ runs: [{ ...run, state: 'done' }] })).status).toBe('notifying');
  });

  it('closes only with every step done and every applying deadline met or explained', () => {
    const remediated = record({ status: 'remediated', jurisdictions: ['EU'], handlingEndedAt: NOW.toISOString() });
    const open = record({ ...remediated, steps: [{ id: 's1', owner: 'ops-1', dueOn: '2026-12-10', status: 'in-progress', updatedAt: NOW.toISOString() }] });
    const steps = thrown(() => applyTransition(open, { action: 'close', lessons: 'Narrow shares' }, ctx()));
    expect(steps).toBeInstanceOf(ConflictError);
    expect(steps.field).toBe('steps');
    const unmet = thrown(() => applyTransition(remediated, { action: 'close', lessons: 'Narrow shares' }, ctx()));
    expect(unmet.field).toBe('deadlines');
    expect(unmet.extensions).toEqual({ obligations: ['gdpr-33', 'gdpr-34'] });
    expect(unmet.message).toContain('gdpr-33');
    const partly = thrown(() => applyTransition(remediated, { action: 'close', lessons: 'Narrow shares', explanations: { 'gdpr-33': 'Reported by phone' } }, ctx()));
    expect(partly.extensions).toEqual({ obligations: ['gdpr-34'] });
    const unknown = thrown(() => applyTransition(remediated, { action: 'close', lessons: 'x', explanations: { 'no-such': 'x' } }, ctx()));
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.field).toBe('explanations.no-such');
    const closed = applyTransition(remediated, { action: 'close', lessons: 'Narrow shares', explanations: { 'gdpr-33': 'Reported by phone', 'gdpr-34': 'Told in person' } }, ctx());
    expect(closed).toMatchObject({ status: 'closed', closedAt: NOW.toISOString(), explanations: { 'gdpr-33': { by: 'dpo-1' }, 'gdpr-34': { by: 'dpo-1' } } });
    expect(closed.text).toMatchObject({ lessons: 'Narrow shares', notes: { 'explain:gdpr-33': 'Reported by phone', 'explain:gdpr-34': 'Told in person' } });
  });
});
