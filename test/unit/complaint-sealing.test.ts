import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openComplaint, sealComplaint } from '../../shared/contexts/complaints/sealing.js';
import type { ComplaintItem } from '../../shared/contexts/complaints/repository.js';
import type { Complaint } from '../../shared/contexts/complaints/index.js';
import { SealError } from '../../shared/platform/crypto/index.js';

const customerId = 'c7f0b9a4-0f0e-4c57-9d6c-2d7f7a0d3a01';
const milestone = { state: 'active' as const, dueAt: '2026-12-01T10:00:00.000Z' };

const complaint = (id: string, subject: string): Complaint => ({
  id,
  reference: 'TS-2026-000001',
  customerId,
  channel: 'email',
  category: 'billing',
  severity: 'low',
  language: 'en',
  privacy: false,
  subject,
  description: `${subject}: the invoice named someone else`,
  receivedBy: 'agent-1',
  receivedAt: '2026-12-01T08:00:00.000Z',
  status: 'received',
  milestones: { acknowledge: milestone, firstResponse: milestone, resolve: milestone, followUp: { state: 'pending' } },
  reopenCount: 0,
  escalations: [],
  notices: [],
  history: [{ action: 'receive', at: '2026-12-01T08:00:00.000Z', actor: 'agent-1', role: 'agent', reason: 'called in' }],
  version: 1,
});

const stored = (key: Buffer, c: Complaint) => ({ pk: `CUSTOMER#${customerId}`, sk: `COMPLAINT#${c.id}`, kind: 'complaint', ...sealComplaint(key, c, undefined) }) as unknown as ComplaintItem;

describe('sealed complaint texts', () => {
  const key = randomBytes(32);
  const first = stored(key, complaint('11111111-1111-4111-8111-111111111111', 'Wrong invoice'));
  const second = stored(key, complaint('22222222-2222-4222-8222-222222222222', 'Late delivery'));

  it('open under the key they were sealed with, and hold no plaintext', () => {
    expect(openComplaint(key, first)).toMatchObject({ subject: 'Wrong invoice', history: [{ reason: 'called in' }] });
    expect(JSON.stringify(first)).not.toContain('Wrong invoice');
    expect(JSON.stringify(first)).not.toContain('called in');
  });

  it('keep the root cause in the clear as a code, and the resolution sealed', () => {
    const resolved = stored(key, { ...complaint('33333333-3333-4333-8333-333333333333', 'Refund'), status: 'resolved', resolution: { summary: 'Refunded the second charge', rootCause: 'billing-error', at: '2026-12-02T08:00:00.000Z' } });
    expect(resolved.resolution).toEqual({ rootCause: 'billing-error', at: '2026-12-02T08:00:00.000Z' });
    expect(Object.keys(resolved.sealed)).not.toContain('rootCause');
    expect(JSON.stringify(resolved)).not.toContain('Refunded the second charge');
    expect(openComplaint(key, resolved).resolution).toEqual({ summary: 'Refunded the second charge', rootCause: 'billing-error', at: '2026-12-02T08:00:00.000Z' });
  });

  it('do not open when moved to another complaint of the same customer', () => {
    const swapped = { ...second, sealed: { ...second.sealed, subject: first.sealed.subject } } as ComplaintItem;
    expect(() => openComplaint(key, swapped)).toThrow(SealError);
  });
});
