import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createComplaintEscalationConsumer } from '../../functions/complaint-escalations/handler.js';
import { createObservability, type Observability } from '../../functions/http/index.js';
import { createJobsHandler } from '../../functions/jobs/handler.js';
import { defaultComplaintPolicies } from '../../shared/contexts/complaints/policies.js';
import { resolveView, type CreateCustomerInput } from '../../shared/contexts/customers/index.js';
import { PreconditionFailedError, ValidationError } from '../../shared/platform/errors/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import type { DomainEvent, OutboundMessage } from '../../shared/platform/ports/index.js';
import { createContainer, type Container } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';
import { newCustomer } from '../support/local-api.js';

/**
 * CMP-3 on DynamoDB Local with a clock the test moves: a missed deadline escalates to the
 * assignee, the department lead and management, each exactly once however often the schedule
 * runs; each level is announced to staff once, a repeated message announces nothing more, and
 * a lost message is published again by a later run.
 */
const sample = () => JSON.parse(readFileSync('events/sqs-review-reminders.json', 'utf8')) as SQSEvent;
const sqs = (...bodies: string[]): SQSEvent => {
  const template = sample().Records[0]!;
  return { Records: bodies.map((body, i) => ({ ...template, messageId: `m-${i}-${Math.random()}`, body })) };
};
/** Shanghai local time (UTC+8) on a day of December 2026 (7th: a Monday). */
const local = (day: number, time: string) => new Date(`2026-12-${String(day).padStart(2, '0')}T${time}:00+08:00`);

let at = local(7, '09:00');
let dropEvents = false;
const published: DomainEvent[] = [];
const sent: OutboundMessage[] = [];
let container: Container;
let jobs: Observability;
let consumer: Observability;
const admin = { actor: { id: 'admin-1', role: 'admin' as const }, purpose: 'administration' };
const agent = { actor: { id: 'agent-1', role: 'agent' as const }, purpose: 'complaint-handling' };
const LEAD = 'finance-lead@example.com';
const MANAGEMENT = 'head-of-service@example.com';

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  container = createContainer(testConfig(prefix, endpoint), {
    dynamodb: client,
    keyService: new LocalKeyService(Buffer.alloc(32, 11)),
    clock: { now: () => at },
    // A bus that loses what it is given while `dropEvents` is set, and says nothing.
    events: { publish: async (events) => void (dropEvents ? undefined : published.push(...events)) },
    notifier: { send: async (message) => void sent.push(message) },
  });
  jobs = await createObservability('jobs');
  consumer = await createObservability('complaint-escalations');
});

/** One run of the schedule through the jobs queue's consumer: the metrics it reported. */
async function runSchedule(): Promise<Record<string, number>> {
  const addMetric = vi.spyOn(jobs.metrics, 'addMetric');
  try {
    const result = await createJobsHandler(container, jobs)(sqs('{"job":"complaint-deadlines"}'));
    expect(result.batchItemFailures).toEqual([]);
    return Object.fromEntries(addMetric.mock.calls.map(([name, , value]) => [name, value as number]));
  } finally {
    addMetric.mockRestore();
  }
}

const escalationEvents = () => published.filter((e) => e.type === 'ComplaintEscalated');
const envelope = (event: DomainEvent) => JSON.stringify({ source: 'kehu', 'detail-type': event.type, detail: event });
const staffMessages = () => sent.filter((m) => m.to === LEAD || m.to === MANAGEMENT);

/** Delivers messages to the escalation consumer: the failures it reported and the announcements it counted. */
async function deliver(...bodies: string[]): Promise<{ failures: string[]; announced: number }> {
  const addMetric = vi.spyOn(consumer.metrics, 'addMetric');
  try {
    const event = sqs(...bodies);
    const result = await createComplaintEscalationConsumer(container, consumer)(event);
    const announced = addMetric.mock.calls.filter(([name]) => name === 'ComplaintEscalationsAnnounced').length;
    return { failures: result.batchItemFailures.map((f) => f.itemIdentifier), announced };
  } finally {
    addMetric.mockRestore();
  }
}

describe('complaint policies', () => {
  it('answers the defaults at version 0, and replaces them only from the version read', async () => {
    expect(await container.complaintPolicies.current()).toMatchObject({ version: 0, reopenWindowDays: 30 });
    const { version: _v, ...document } = structuredClone(defaultComplaintPolicies);
    const input = { ...document, escalationContacts: { departmentLeads: { finance: LEAD }, management: MANAGEMENT } };
    await expect(container.complaintPolicies.put(input, admin, 3)).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(container.complaintPolicies.put({ ...input, version: 1 }, admin, 0)).rejects.toBeInstanceOf(ValidationError);
    const stored = await container.complaintPolicies.put(input, admin, 0);
    expect(stored).toMatchObject({ version: 1, updatedBy: 'admin-1', escalationContacts: { departmentLeads: { finance: LEAD } } });
    // Without a version the put is unguarded; with the stale one it is refused.
    await expect(container.complaintPolicies.put({ ...input, version: 0 }, admin)).rejects.toBeInstanceOf(PreconditionFailedError);
    const bad = structuredClone(input);
    bad.rules[1]!.limits.resolve = 0;
    await expect(container.complaintPolicies.put(bad, admin, 1)).rejects.toMatchObject({ field: 'rules.1.limits.resolve' });
    expect(await container.complaintPolicies.current()).toMatchObject({ version: 1, escalationContacts: { management: MANAGEMENT } });
  });
});

describe('the complaint deadline schedule', () => {
  it('escalates a missed deadline to levels 1, 2 and 3, each once, and announces each once', async () => {
    expect((await container.complaintPolicies.current()).version).toBe(1);
    at = local(7, '09:00');
    const customerInput = newCustomer();
    const { customer } = await container.customers.create(customerInput as CreateCustomerInput, { actor: { id: 'seed', role: 'admin' }, purpose: 'service' }, resolveView('admin').view);
    const { complaint } = await container.complaints.create(
      { customerId: customer.id, channel: 'phone', category: 'billing', severity: 'critical', subject: 'Charged twice', description: 'Two charges for one order' },
      agent,
    );
    at = local(7, '09:05');
    await container.complaints.transition(complaint.id, { action: 'acknowledge' }, agent);
    at = local(7, '09:06');
    await container.complaints.transition(complaint.id, { action: 'assign', assignee: 'agent-7', department: 'finance' }, agent);

    // First response due at 10:00 (critical: 60 business minutes), within the hour at 09:30.
    at = local(7, '09:30');
    expect(await runSchedule()).toEqual({ ComplaintsOverdue: 0, ComplaintsDueSoon: 1, ComplaintEscalations: 0 });
    expect(escalationEvents()).toHaveLength(0);

    // Missed: level 1, the assignee, however often the schedule runs.
    at = local(7, '10:01');
    expect(await runSchedule()).toEqual({ ComplaintsOverdue: 1, ComplaintsDueSoon: 0, ComplaintEscalations: 1 });
    expect(await runSchedule()).toEqual({ ComplaintsOverdue: 1, ComplaintsDueSoon: 0, ComplaintEscalations: 0 });
    expect(escalationEvents().map((e) => e.detail)).toEqual([
      { complaintId: complaint.id, customerId: customer.id, level: 1, target: 'assignee', milestone: 'firstResponse', department: 'finance' },
    ]);

    // The same message delivered twice: one staff message, to the department's lead, naming the assignee.
    const first = envelope(escalationEvents()[0]!);
    expect(await deliver(first)).toEqual({ failures: [], announced: 1 });
    expect(await deliver(first)).toEqual({ failures: [], announced: 0 });
    expect(staffMessages()).toHaveLength(1);
    const [message] = staffMessages();
    expect(message).toMatchObject({ channel: 'email', to: LEAD });
    expect(message!.subject).toContain(complaint.reference);
    expect(message!.body).toContain('Level: 1 (assignee)');
    expect(message!.body).toContain('Milestone: firstResponse');
    expect(message!.body).toContain('Assignee: agent-7');
    // Codes and staff ids only: nothing the customer wrote or is.
    const personal = [customerInput.name, customerInput.emails[0], customerInput.phones[0], 'Charged twice', 'Two charges', customer.id];
    for (const text of personal) expect(`${message!.subject}\n${message!.body}`).not.toContain(text);

    // Announced: not published again.
    at = local(7, '10:30');
    await runSchedule();
    expect(escalationEvents()).toHaveLength(1);

    // Level 2 (department lead, 120 business minutes on) is published into a bus that loses it.
    dropEvents = true;
    at = local(7, '13:30');
    expect(await runSchedule()).toMatchObject({ ComplaintsOverdue: 1, ComplaintEscalations: 1 });
    dropEvents = false;
    expect(escalationEvents()).toHaveLength(1);
    at = local(7, '13:35');
    expect(await runSchedule()).toMatchObject({ ComplaintEscalations: 0 });
    expect(escalationEvents()).toHaveLength(1);
    // Ten minutes on, still unannounced: published again, with the same event id, and announced once.
    at = local(7, '13:41');
    expect(await runSchedule()).toMatchObject({ ComplaintsOverdue: 1, ComplaintEscalations: 0 });
    expect(escalationEvents().map((e) => [e.detail.level, e.id])).toEqual([
      [1, `${complaint.id}:escalate:1`],
      [2, `${complaint.id}:escalate:2`],
    ]);
    const second = envelope(escalationEvents()[1]!);
    expect(await deliver(second, second)).toMatchObject({ failures: [] });
    expect(staffMessages()).toHaveLength(2);
    expect(staffMessages()[1]).toMatchObject({ to: LEAD });
    expect(staffMessages()[1]!.body).toContain('Level: 2 (department-lead)');
    at = local(7, '14:00');
    await runSchedule();
    expect(escalationEvents()).toHaveLength(2);

    // Level 3 (management, 480 business minutes after the deadline): Tuesday 10:00.
    at = local(8, '09:55');
    expect(await runSchedule()).toMatchObject({ ComplaintEscalations: 0 });
    at = local(8, '10:05');
    expect(await runSchedule()).toMatchObject({ ComplaintsOverdue: 1, ComplaintEscalations: 1 });
    expect(escalationEvents().map((e) => e.detail.level)).toEqual([1, 2, 3]);
    expect(await deliver(envelope(escalationEvents()[2]!))).toEqual({ failures: [], announced: 1 });
    expect(staffMessages().map((m) => m.to)).toEqual([LEAD, LEAD, MANAGEMENT]);
    expect(staffMessages()[2]!.body).toContain('Level: 3 (management)');

    // Levels only rise, and never past 3: days of runs add nothing.
    for (const [day, time] of [[8, '10:05'], [8, '18:30'], [9, '09:00'], [14, '12:00'], [31, '23:00']] as const) {
      at = local(day, time);
      expect(await runSchedule()).toMatchObject({ ComplaintsOverdue: 1, ComplaintEscalations: 0 });
    }
    expect(escalationEvents()).toHaveLength(3);
    expect(staffMessages()).toHaveLength(3);
    const stored = await container.complaints.get(complaint.id, agent);
    expect(stored.escalations.map((s) => [s.level, s.target, s.milestone, s.announcedAt !== undefined])).toEqual([
      [1, 'assignee', 'firstResponse', true],
      [2, 'department-lead', 'firstResponse', true],
      [3, 'management', 'firstResponse', true],
    ]);
    expect(stored.history.filter((h) => h.action === 'escalate')).toHaveLength(3);
    expect(stored.milestones.firstResponse.state).toBe('missed');
    expect(stored.milestones.resolve.state).toBe('missed');

    // Once it is being worked on and resolved, it is no longer overdue.
    await container.complaints.transition(complaint.id, { action: 'start' }, agent);
    await container.complaints.transition(complaint.id, { action: 'resolve', resolution: 'Refunded the second charge', rootCause: 'billing-error' }, agent);
    expect(await runSchedule()).toMatchObject({ ComplaintsOverdue: 0, ComplaintEscalations: 0 });
  });

  it('refuses a message that is not a complaint escalation, alone', async () => {
    const bad = JSON.stringify({ source: 'kehu', 'detail-type': 'ComplaintEscalated', detail: { type: 'ComplaintEscalated', detail: { complaintId: 'x', level: 4 } } });
    const event = sqs(envelope(escalationEvents()[0]!), bad, '{"detail":');
    const result = await createComplaintEscalationConsumer(container, consumer)(event);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(event.Records.slice(1).map((r) => r.messageId));
    expect(staffMessages()).toHaveLength(3);
  });
});
