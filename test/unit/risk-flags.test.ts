import { describe, expect, it } from 'vitest';
import type { Complaint } from '../../shared/contexts/complaints/index.js';
import {
  allowedRiskFlagActions,
  checkRiskFlagTransition,
  flagsForComplaint,
  riskFlagPointerOfSortKey,
  riskFlagTransitionSchema,
  writesForComplaint,
  type RaiseRiskFlag,
  type RiskFlagWriter,
} from '../../shared/contexts/risk-flags/index.js';

/** The risk flag state machine, its transition input, and the flags a complaint's change raises (SAT-3). */
const AT = '2026-12-07T01:00:00.000Z';
const complaint = (changes: Partial<Complaint> = {}): Complaint =>
  ({
    id: '0b5e4a9e-1f7c-4c1e-9d6f-2a3b4c5d6e7f',
    reference: 'TS-2026-000001',
    customerId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    status: 'in-progress',
    reopenCount: 0,
    version: 3,
    ...changes,
  }) as Complaint;

describe('risk flag state machine', () => {
  it('assigns an open or assigned flag and closes it once', () => {
    expect(checkRiskFlagTransition('open', 'assign', 'agent')).toEqual({ ok: true, to: 'assigned' });
    expect(checkRiskFlagTransition('assigned', 'assign', 'dpo')).toEqual({ ok: true, to: 'assigned' });
    expect(checkRiskFlagTransition('open', 'close', 'admin')).toEqual({ ok: true, to: 'closed' });
    expect(checkRiskFlagTransition('assigned', 'close', 'agent')).toEqual({ ok: true, to: 'closed' });
    expect(checkRiskFlagTransition('closed', 'close', 'agent')).toEqual({ ok: false, reason: 'status' });
    expect(checkRiskFlagTransition('closed', 'assign', 'agent')).toEqual({ ok: false, reason: 'status' });
  });

  it('lets only staff who follow customers up act', () => {
    expect(checkRiskFlagTransition('open', 'assign', 'marketer')).toEqual({ ok: false, reason: 'role' });
    expect(checkRiskFlagTransition('open', 'close', 'analyst')).toEqual({ ok: false, reason: 'role' });
    expect(allowedRiskFlagActions('open', 'marketer')).toEqual([]);
  });

  it('lists what is allowed now', () => {
    expect(allowedRiskFlagActions('open', 'agent')).toEqual(['assign', 'close']);
    expect(allowedRiskFlagActions('closed', 'agent')).toEqual([]);
  });
});

describe('risk flag transition input', () => {
  const fieldOf = (input: unknown) => riskFlagTransitionSchema.safeParse(input).error?.issues.map((i) => i.path.join('.'));

  it('accepts an assignment and the closings', () => {
    expect(riskFlagTransitionSchema.safeParse({ action: 'assign', assignee: 'agent-1' }).success).toBe(true);
    expect(riskFlagTransitionSchema.safeParse({ action: 'close', outcome: 'resolved', note: 'called back' }).success).toBe(true);
    const complaintInput = { category: 'service', severity: 'medium', channel: 'phone', subject: 'Rude answer', description: 'On the phone' };
    expect(riskFlagTransitionSchema.safeParse({ action: 'close', outcome: 'complaint-opened', complaint: complaintInput }).success).toBe(true);
  });

  it('names the field missing or out of place', () => {
    expect(fieldOf({ action: 'assign' })).toEqual(['assignee']);
    expect(fieldOf({ action: 'close' })).toContain('outcome');
    expect(fieldOf({ action: 'close', outcome: 'complaint-opened' })).toEqual(['complaint']);
    const complaintInput = { category: 'service', severity: 'medium', channel: 'phone', subject: 's', description: 'd' };
    expect(fieldOf({ action: 'close', outcome: 'resolved', complaint: complaintInput })).toEqual(['outcome']);
    expect(fieldOf({ action: 'close', outcome: 'resolved', note: '' })).toEqual(['note']);
    expect(fieldOf({ action: 'assign', assignee: 'agent 1' })).toEqual(['assignee']);
    expect(fieldOf({ action: 'reopen' })).toEqual(['action']);
  });
});

describe('flags a complaint raises', () => {
  it('raises complaint-reopened when the second reopening is recorded, once', () => {
    expect(flagsForComplaint(complaint({ reopenCount: 0 }), complaint({ reopenCount: 1 }), AT)).toEqual([]);
    const flags = flagsForComplaint(complaint({ reopenCount: 1 }), complaint({ reopenCount: 2, assignee: 'agent-7' }), AT);
    expect(flags).toEqual([
      {
        customerId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
        reason: 'complaint-reopened',
        source: { kind: 'complaint', complaintId: '0b5e4a9e-1f7c-4c1e-9d6f-2a3b4c5d6e7f', reference: 'TS-2026-000001' },
        assignee: 'agent-7',
        at: AT,
      },
    ]);
    expect(flagsForComplaint(complaint({ reopenCount: 2 }), complaint({ reopenCount: 3 }), AT)).toEqual([]);
    expect(flagsForComplaint(complaint({ reopenCount: 2 }), complaint({ reopenCount: 2, version: 4 }), AT)).toEqual([]);
  });

  it('raises complaint-unsatisfied for a follow-up newly recorded as not satisfied', () => {
    const unsatisfied = { outcome: 'not-satisfied' as const, rating: 1, at: AT };
    const [flag] = flagsForComplaint(complaint({ status: 'resolved' }), complaint({ status: 'followed-up', followUp: unsatisfied }), AT);
    expect(flag).toMatchObject({ reason: 'complaint-unsatisfied' });
    expect(flag).not.toHaveProperty('assignee');
    // Kept from before (the complaint closed afterwards): no second flag.
    expect(flagsForComplaint(complaint({ status: 'followed-up', followUp: unsatisfied }), complaint({ status: 'closed', followUp: unsatisfied }), AT)).toEqual([]);
    expect(flagsForComplaint(complaint(), complaint({ followUp: { outcome: 'satisfied', rating: 5, at: AT } }), AT)).toEqual([]);
    expect(flagsForComplaint(complaint(), complaint({ followUp: { outcome: 'unreachable', at: AT } }), AT)).toEqual([]);
  });

  it('turns each flag into the writer\'s writes', () => {
    const raised: RaiseRiskFlag[] = [];
    const writer: RiskFlagWriter = {
      raiseWrites: (input) => {
        raised.push(input);
        return [{ op: 'check', table: 't', key: { pk: input.reason }, condition: { kind: 'exists' } }];
      },
    };
    const writes = writesForComplaint(writer, complaint({ reopenCount: 1 }), complaint({ reopenCount: 2, followUp: { outcome: 'not-satisfied', at: AT } }), AT);
    expect(raised.map((r) => r.reason)).toEqual(['complaint-reopened', 'complaint-unsatisfied']);
    expect(writes).toHaveLength(2);
  });
});

describe('risk flag pointers', () => {
  it('names the pointer of a flag from its sort key, nothing else', () => {
    expect(riskFlagPointerOfSortKey('RISK#abc')).toEqual({ pk: 'RISKFLAG#abc', sk: 'RISKFLAG' });
    expect(riskFlagPointerOfSortKey('COMPLAINT#abc')).toBeUndefined();
    expect(riskFlagPointerOfSortKey('PROFILE')).toBeUndefined();
  });
});
