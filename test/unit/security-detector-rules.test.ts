import { describe, expect, it } from 'vitest';
import { contributions, defaultThresholds, findingIdOf, isBusinessHour, isCustomerRead, levelOf, parseThresholds, readThreshold } from '../../shared/contexts/security/index.js';
import type { AuditEntry } from '../../shared/platform/audit/index.js';

/** The access detector's pure rules (SEC-6): what an entry counts for, thresholds, levels. */
const entry = (fields: Partial<AuditEntry>): AuditEntry => ({
  format: 'kehu-audit-2',
  chain: 0,
  seq: 1,
  at: '2026-03-02T03:15:00.000Z',
  actor: 'agent-1',
  role: 'agent',
  purpose: 'service',
  action: 'customer.read',
  targetType: 'customer',
  targetId: 'c-1',
  requestId: 'none',
  prevMac: '',
  mac: '',
  ...fields,
});
const kinds = (e: AuditEntry) => contributions(e, defaultThresholds).map((c) => `${c.kind}:${c.subject}:${c.hour}`);

describe('contributions', () => {
  it('counts staff reads of customer records, and off-hours reads besides', () => {
    expect(kinds(entry({}))).toEqual(['reads:agent-1:2026-03-02T03']);
    expect(kinds(entry({ action: 'complaint.list' }))).toEqual(['reads:agent-1:2026-03-02T03']);
    // 16:15 UTC is 00:15 in Shanghai.
    expect(kinds(entry({ at: '2026-03-02T16:15:00.000Z' }))).toEqual(['reads:agent-1:2026-03-02T16', 'offhours:agent-1:2026-03-02T16']);
    expect(kinds(entry({ action: 'customer.update' }))).toEqual([]);
    expect(kinds(entry({ targetType: 'purpose', action: 'survey.read' }))).toEqual([]);
  });

  it('counts exports apart from reads', () => {
    expect(kinds(entry({ action: 'export.marketing' }))).toEqual(['exports:agent-1:2026-03-02T03']);
    expect(kinds(entry({ action: 'export.analysis', targetType: 'purpose' }))).toEqual(['exports:agent-1:2026-03-02T03']);
  });

  it('counts wrong codes per source, and per customer when the challenge had one', () => {
    const code = { actor: 'source:00ff00ff00ff00ff', role: 'anonymous', action: 'self.code.rejected' };
    expect(kinds(entry({ ...code, targetId: 'c-9' }))).toEqual(['codes-source:source:00ff00ff00ff00ff:2026-03-02T03', 'codes-contact:c-9:2026-03-02T03']);
    expect(kinds(entry({ ...code, targetType: 'self-service-challenge', targetId: 'ch-1' }))).toEqual(['codes-source:source:00ff00ff00ff00ff:2026-03-02T03']);
  });

  it("counts the customers a customer token touches, and nothing of the system's", () => {
    expect(contributions(entry({ actor: 'c-1', role: 'customer', targetId: 'c-2' }), defaultThresholds)).toEqual([
      { kind: 'token-customers', subject: 'c-1', subjectRole: 'customer', hour: '2026-03-02T03', customer: 'c-2' },
    ]);
    expect(kinds(entry({ role: 'system', actor: 'access-detector' }))).toEqual([]);
    expect(kinds(entry({ role: 'system', action: 'export.marketing' }))).toEqual([]);
  });
});

describe('thresholds and levels', () => {
  it('takes the larger of the minimum and the baselines times the factor', () => {
    expect(readThreshold(defaultThresholds, {})).toBe(200);
    expect(readThreshold(defaultThresholds, { actor: 10, role: 12 })).toBe(200);
    expect(readThreshold(defaultThresholds, { actor: 60 })).toBe(300);
    expect(readThreshold(defaultThresholds, { actor: 10, role: 80.5 })).toBe(403);
  });

  it('is medium at the threshold and high at the threshold times the high factor', () => {
    expect(levelOf(199, 200, 1.5)).toBeUndefined();
    expect(levelOf(200, 200, 1.5)).toBe('medium');
    expect(levelOf(299, 200, 1.5)).toBe('medium');
    expect(levelOf(300, 200, 1.5)).toBe('high');
  });

  it('keeps business hours in the configured zone, end excluded', () => {
    const hours = { start: 7, end: 22, timeZone: 'Asia/Shanghai' };
    expect(isBusinessHour('2026-03-01T23:00:00Z', hours)).toBe(true); // 07:00 local
    expect(isBusinessHour('2026-03-01T22:59:59Z', hours)).toBe(false); // 06:59 local
    expect(isBusinessHour('2026-03-02T14:00:00Z', hours)).toBe(false); // 22:00 local
    expect(isBusinessHour('2026-03-02T13:59:59Z', hours)).toBe(true);
    expect(isBusinessHour('2026-03-02T13:59:59Z', { ...hours, timeZone: 'Europe/Helsinki' })).toBe(true);
    expect(isBusinessHour('2026-03-02T21:00:00Z', { ...hours, timeZone: 'Europe/Helsinki' })).toBe(false);
  });

  it('treats reads by verb: read, list, history, search', () => {
    expect(['customer.read', 'interaction.list', 'customer.history', 'customer.search'].map((action) => isCustomerRead({ action, targetType: 'customer' }))).toEqual([true, true, true, true]);
    expect(isCustomerRead({ action: 'customer.erase', targetType: 'customer' })).toBe(false);
  });

  it('derives one finding id per rule, subject and hour', () => {
    const id = findingIdOf('read-rate', 'agent-1', '2026-03-02T03');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(findingIdOf('read-rate', 'agent-1', '2026-03-02T03')).toBe(id);
    expect(new Set([findingIdOf('off-hours', 'agent-1', '2026-03-02T03'), findingIdOf('read-rate', 'agent-2', '2026-03-02T03'), findingIdOf('read-rate', 'agent-1', '2026-03-02T04')]).has(id)).toBe(false);
  });
});

describe('parseThresholds', () => {
  it('lays a partial JSON object over the defaults', () => {
    expect(parseThresholds('{}')).toEqual(defaultThresholds);
    expect(parseThresholds('{"readsPerHourMin": 300, "businessHours": {"timeZone": "Europe/Helsinki"}, "incidentLevel": "off", "drillActors": ["drill-1"]}')).toEqual({
      ...defaultThresholds,
      readsPerHourMin: 300,
      businessHours: { start: 7, end: 22, timeZone: 'Europe/Helsinki' },
      incidentLevel: 'off',
      drillActors: ['drill-1'],
    });
  });

  it('names the bad key', () => {
    expect(() => parseThresholds('{"readsPerHour": 300}')).toThrow(/"readsPerHour"/);
    expect(() => parseThresholds('{"readsPerHourMin": "300"}')).toThrow(/"readsPerHourMin"/);
    expect(() => parseThresholds('{"highFactor": 0.5}')).toThrow(/"highFactor"/);
    expect(() => parseThresholds('{"businessHours": {"timeZone": "Mars/Olympus"}}')).toThrow(/"businessHours.timeZone"/);
    expect(() => parseThresholds('{"businessHours": {"start": 22, "end": 7}}')).toThrow(/"businessHours.end"/);
    expect(() => parseThresholds('{"incidentLevel": "critical"}')).toThrow(/"incidentLevel"/);
    expect(() => parseThresholds('{"drillActors": ["a b"]}')).toThrow(/"drillActors"/);
    expect(() => parseThresholds('[1]')).toThrow(/JSON object/);
    expect(() => parseThresholds('not json')).toThrow(/JSON object/);
  });
});
