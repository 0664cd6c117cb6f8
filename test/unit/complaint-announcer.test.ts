import { describe, expect, it } from 'vitest';
import { ComplaintAnnouncer, type ComplaintEscalatedDetail } from '../../shared/contexts/complaints/escalation.js';
import { defaultComplaintPolicies } from '../../shared/contexts/complaints/policies.js';
import type { ComplaintItem } from '../../shared/contexts/complaints/repository.js';
import type { ComplaintPolicies, EscalationStep } from '../../shared/contexts/complaints/types.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import type { OutboundMessage } from '../../shared/platform/ports/index.js';

/** Who is told of each escalation level, and that nothing is told twice or lost to a failed send. */
const customerId = '6f1c3a52-8d7e-4b0a-9c11-2f3e4d5a6b7c';
const complaintId = '0b7e1f4a-3c2d-4e5f-8a9b-1c2d3e4f5a6b';
const step = (level: 1 | 2 | 3, announcedAt?: string): EscalationStep => ({
  level,
  target: (['assignee', 'department-lead', 'management'] as const)[level - 1]!,
  at: '2026-12-07T02:01:00.000Z',
  milestone: 'firstResponse',
  ...(announcedAt ? { announcedAt } : {}),
});

function setup(options: { department?: string; contacts?: ComplaintPolicies['escalationContacts']; steps?: EscalationStep[]; failSend?: boolean; missing?: boolean } = {}) {
  const sent: OutboundMessage[] = [];
  const marked: number[] = [];
  const item = {
    pk: `CUSTOMER#${customerId}`,
    sk: `COMPLAINT#${complaintId}`,
    kind: 'complaint',
    id: complaintId,
    customerId,
    reference: 'TS-2026-000042',
    category: 'billing',
    severity: 'critical',
    status: 'assigned',
    assignee: 'agent-7',
    ...(options.department ? { department: options.department } : {}),
    milestones: { acknowledge: { state: 'met' }, firstResponse: { state: 'missed', dueAt: '2026-12-07T02:00:00.000Z' }, resolve: { state: 'active' }, followUp: { state: 'pending' } },
    escalations: options.steps ?? [step(1), step(2), step(3)],
  } as unknown as ComplaintItem;
  const policies: ComplaintPolicies = {
    ...defaultComplaintPolicies,
    escalationContacts: options.contacts ?? { departmentLeads: { finance: 'lead@example.com' }, management: 'boss@example.com' },
  };
  const announcer = new ComplaintAnnouncer({
    complaints: {
      markAnnounced: async (_ref, level) => {
        marked.push(level);
        return true;
      },
    },
    repository: { find: async () => (options.missing ? undefined : item) },
    policies: { current: async () => policies },
    notifier: {
      send: async (message) => {
        if (options.failSend) throw new UnavailableError('notifier');
        sent.push(message);
      },
    },
  });
  return { announcer, sent, marked };
}

const event = (level: 1 | 2 | 3, department?: string): ComplaintEscalatedDetail => ({
  complaintId,
  customerId,
  level,
  target: (['assignee', 'department-lead', 'management'] as const)[level - 1]!,
  milestone: 'firstResponse',
  ...(department ? { department } : {}),
});

describe('escalation announcements', () => {
  it('tells the department lead of levels 1 and 2, naming the assignee at level 1, and management of level 3', async () => {
    const { announcer, sent, marked } = setup({ department: 'finance' });
    expect(await announcer.announce(event(1, 'finance'))).toEqual({ outcome: 'announced', to: 'department-lead' });
    expect(await announcer.announce(event(2, 'billing'))).toEqual({ outcome: 'announced', to: 'department-lead' });
    expect(await announcer.announce(event(3, 'billing'))).toEqual({ outcome: 'announced', to: 'management' });
    expect(sent.map((m) => m.to)).toEqual(['lead@example.com', 'lead@example.com', 'boss@example.com']);
    expect(marked).toEqual([1, 2, 3]);
    expect(sent[0]).toMatchObject({ channel: 'email', subject: expect.stringContaining('TS-2026-000042') });
    expect(sent[0]!.body).toContain('Assignee: agent-7');
    expect(sent[0]!.body).toContain('due 2026-12-07T02:00:00.000Z');
    expect(sent[2]!.body).not.toContain('Assignee');
    // Ids and codes of staff only: not even the customer's id.
    for (const message of sent) expect(JSON.stringify(message)).not.toContain(customerId);
  });

  it('falls back to management without a department lead, and to the lead without management', async () => {
    const noLead = setup({ department: 'delivery' });
    expect(await noLead.announcer.announce(event(1, 'delivery'))).toEqual({ outcome: 'announced', to: 'management' });
    const noManagement = setup({ department: 'finance', contacts: { departmentLeads: { finance: 'lead@example.com' } } });
    expect(await noManagement.announcer.announce(event(3, 'billing'))).toEqual({ outcome: 'announced', to: 'department-lead' });
    expect(noManagement.sent.map((m) => m.to)).toEqual(['lead@example.com']);
  });

  it('marks a level nobody can be told of as announced, and says so', async () => {
    const { announcer, sent, marked } = setup({ contacts: { departmentLeads: {} } });
    expect(await announcer.announce(event(2))).toEqual({ outcome: 'no-contact' });
    expect(sent).toEqual([]);
    expect(marked).toEqual([2]);
  });

  it('sends nothing for a level announced before, or a complaint that is gone', async () => {
    const announced = setup({ department: 'finance', steps: [step(1, '2026-12-07T02:02:00.000Z')] });
    expect(await announced.announcer.announce(event(1, 'finance'))).toEqual({ outcome: 'already-announced' });
    expect(await announced.announcer.announce(event(2, 'billing'))).toEqual({ outcome: 'gone' });
    const erased = setup({ missing: true });
    expect(await erased.announcer.announce(event(1))).toEqual({ outcome: 'gone' });
    expect([...announced.sent, ...erased.sent, ...announced.marked, ...erased.marked]).toEqual([]);
  });

  it('leaves a level unannounced when its message could not be sent, so that the retry sends it', async () => {
    const { announcer, marked } = setup({ department: 'finance', failSend: true });
    await expect(announcer.announce(event(1, 'finance'))).rejects.toBeInstanceOf(UnavailableError);
    expect(marked).toEqual([]);
  });
});
