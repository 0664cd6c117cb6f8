import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanAll } from '../support/dynamo.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';

/** INT-1 to INT-3 end to end. */
let api: TestApi;
let agent: string;
let customerId: string;

beforeAll(async () => {
  api = await startTestApi();
  agent = await api.token('agent', 'agent-9');
  customerId = (await api.call('POST', '/v1/customers', { token: agent, body: newCustomer() })).body.id;
});
afterAll(() => api?.close());

const interaction = (overrides: Record<string, unknown> = {}) => ({
  channel: 'phone',
  occurredAt: '2026-11-20T09:30:00.000Z',
  place: 'Shanghai call centre',
  participants: ['Agent Li', 'Probeperson Wang'],
  summary: 'Probesummary: asked about the delivery date of order 42',
  attachments: ['docs://calls/2026/11/20/42.mp3'],
  ...overrides,
});

describe('interactions', () => {
  it('records an interaction, lists it newest first, and seals its personal parts', async () => {
    const first = await api.call('POST', `/v1/customers/${customerId}/interactions`, { token: agent, body: interaction() });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ customerId, channel: 'phone', place: 'Shanghai call centre', recordedBy: 'agent-9' });
    expect(first.body.contentHash).toMatch(/^[0-9a-f]{64}$/);
    await api.call('POST', `/v1/customers/${customerId}/interactions`, {
      token: agent,
      body: interaction({ channel: 'email', occurredAt: '2026-11-21T10:00:00.000Z', place: undefined }),
    });
    const list = await api.call('GET', `/v1/customers/${customerId}/interactions`, { token: await api.token('dpo') });
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { channel: string }) => i.channel)).toEqual(['email', 'phone']);
    expect(list.body.items[1].summary).toBe(interaction().summary);

    const raw = JSON.stringify(await scanAll(api.client, api.prefix));
    for (const probe of ['Probeperson', 'Probesummary', 'Shanghai call centre', 'calls/2026']) expect(raw).not.toContain(probe);
  });

  it('answers 404 for an unknown customer and 400 naming the field for bad input', async () => {
    const unknown = await api.call('POST', '/v1/customers/00000000-0000-4000-8000-000000000000/interactions', { token: agent, body: interaction() });
    expect(unknown.status).toBe(404);
    for (const [body, field] of [
      [interaction({ channel: 'pigeon' }), 'channel'],
      [interaction({ occurredAt: 'yesterday' }), 'occurredAt'],
      [interaction({ participants: [] }), 'participants'],
      [interaction({ summary: 'x'.repeat(4001) }), 'summary'],
      [interaction({ mood: 'good' }), 'mood'],
    ] as const) {
      const res = await api.call('POST', `/v1/customers/${customerId}/interactions`, { token: agent, body });
      expect(res.status, field).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it('is audited, and a record edited in the table is named by verification (INT-3)', async () => {
    const auditor = await api.token('auditor');
    const created = await api.call('POST', `/v1/customers/${customerId}/interactions`, {
      token: agent,
      body: interaction({ occurredAt: '2026-11-22T08:00:00.000Z' }),
    });
    const targetId = `${customerId}/${created.body.occurredAt}/${created.body.id}`;
    const trail = await api.call('GET', `/v1/audit?targetType=interaction&targetId=${encodeURIComponent(targetId)}`, { token: auditor });
    expect(trail.body.items).toHaveLength(1);
    expect(trail.body.items[0]).toMatchObject({ action: 'interaction.create', subjectHash: created.body.contentHash });

    const range = { from: new Date(Date.now() - 600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() };
    const before = await api.call('POST', '/v1/audit/verify', { token: auditor, body: range });
    expect(before.body).toMatchObject({ ok: true });
    expect(before.body.subjectsChecked).toBeGreaterThanOrEqual(3);

    // Someone with table access changes when the call happened.
    await api.client.send(
      new UpdateItemCommand({
        TableName: `${api.prefix}-data`,
        Key: { pk: { S: `CUSTOMER#${customerId}` }, sk: { S: `INTERACTION#${created.body.occurredAt}#${created.body.id}` } },
        UpdateExpression: 'SET channel = :c',
        ExpressionAttributeValues: { ':c': { S: 'letter' } },
      }),
    );
    const after = await api.call('POST', '/v1/audit/verify', { token: auditor, body: range });
    expect(after.body.ok).toBe(false);
    expect(after.body.firstFailure).toMatchObject({ reason: 'subject', target: { type: 'interaction', id: targetId } });
  });
});
