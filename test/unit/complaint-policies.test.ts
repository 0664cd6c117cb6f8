import { describe, expect, it } from 'vitest';
import { parse } from '../../functions/http/validation.js';
import { limitsFor } from '../../shared/contexts/complaints/milestones.js';
import { defaultComplaintPolicies } from '../../shared/contexts/complaints/policies.js';
import { complaintPoliciesSchema, putComplaintPoliciesSchema } from '../../shared/contexts/complaints/policy-schemas.js';
import { ValidationError } from '../../shared/platform/errors/index.js';

/** The default document as an administrator would send it back. */
const body = (): Record<string, unknown> => {
  const { version: _version, ...document } = structuredClone(defaultComplaintPolicies);
  return document as unknown as Record<string, unknown>;
};

/** The fields a body is refused for, as the 400 answer names them. */
function refusedFields(value: unknown): string[] {
  try {
    parse(putComplaintPoliciesSchema, value, 'body');
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => issue.field);
  }
  throw new Error('the body was accepted');
}

const rules = (document: Record<string, unknown>) => document.rules as Array<{ severity: string; category?: string; limits: Record<string, unknown> }>;

describe('complaint policy document', () => {
  it('accepts the defaults, as sent back and as answered', () => {
    expect(parse(putComplaintPoliciesSchema, body(), 'body').rules).toHaveLength(defaultComplaintPolicies.rules.length);
    expect(parse(putComplaintPoliciesSchema, { ...body(), version: 0 }, 'body').version).toBe(0);
    expect(complaintPoliciesSchema.safeParse(defaultComplaintPolicies).success).toBe(true);
  });

  it.each([
    ['negative', -5],
    ['zero', 0],
    ['fractional', 1.5],
    ['longer than a year', 525_601],
    ['a string', '60'],
  ])('refuses a %s limit, naming it', (_name, value) => {
    const document = body();
    rules(document)[0]!.limits.resolve = value;
    expect(refusedFields(document)).toEqual(['rules.0.limits.resolve']);
  });

  it('refuses a missing limit, naming it', () => {
    const document = body();
    delete rules(document)[2]!.limits.firstResponse;
    expect(refusedFields(document)).toEqual(['rules.2.limits.firstResponse']);
  });

  it('accepts a limit of exactly a year', () => {
    const document = body();
    rules(document)[0]!.limits.followUp = 525_600;
    expect(() => parse(putComplaintPoliciesSchema, document, 'body')).not.toThrow();
  });

  it('refuses a severity without a rule of its own (a category rule does not cover it)', () => {
    const document = body();
    document.rules = rules(document).filter((rule) => !(rule.severity === 'low' && rule.category === undefined));
    expect(rules(document).some((rule) => rule.severity === 'low')).toBe(true);
    expect(refusedFields(document)).toEqual(['rules']);
  });

  it('refuses a category listed twice, naming the second', () => {
    const document = body();
    const categories = document.categories as Array<Record<string, unknown>>;
    categories.push({ ...categories[1]! });
    expect(refusedFields(document)).toEqual([`categories.${categories.length - 1}.code`]);
  });

  it('refuses a rule for a category that is not listed, naming it', () => {
    const document = body();
    rules(document).push({ severity: 'high', category: 'warranty', limits: { acknowledge: 60, firstResponse: 120, resolve: 960, followUp: 960 } });
    expect(refusedFields(document)).toEqual([`rules.${rules(document).length - 1}.category`]);
  });

  it('refuses two rules of the same severity and category', () => {
    const document = body();
    rules(document).push(structuredClone(rules(document)[0]!));
    expect(refusedFields(document)).toEqual([`rules.${rules(document).length - 1}`]);
  });

  it('refuses bad codes, contacts, escalation delays and unknown fields', () => {
    const document = body();
    (document.categories as Array<Record<string, unknown>>)[0]!.code = 'Service Desk';
    rules(document)[4]!.category = 'Service Desk';
    document.escalationContacts = { departmentLeads: { finance: 'not-an-address' }, management: 'boss@example.com' };
    document.escalation = { departmentLeadAfter: 480, managementAfter: 120 };
    document.version = 3;
    document.updatedBy = 'someone';
    expect(refusedFields(document).sort()).toEqual(
      ['categories.0.code', 'rules.4.category', 'escalationContacts.departmentLeads.finance', 'escalation.managementAfter', 'updatedBy'].sort(),
    );
  });

  it('lists departments and root causes with unique codes, and names only listed departments as leads', () => {
    expect(defaultComplaintPolicies.departments.map((d) => d.code)).toEqual(['customer-service', 'finance', 'logistics', 'product', 'data-protection']);
    expect(defaultComplaintPolicies.rootCauses.map((c) => c.code)).toContain('billing-error');
    const document = body();
    (document.departments as Array<{ code: string }>)[1]!.code = 'customer-service';
    (document.rootCauses as Array<{ code: string }>)[0]!.code = 'Name 13800138000';
    document.escalationContacts = { departmentLeads: { logistics: 'lead@example.com', retail: 'lead@example.com' } };
    expect(refusedFields(document).sort()).toEqual(['departments.1.code', 'rootCauses.0.code', 'escalationContacts.departmentLeads.retail'].sort());
  });

  it('refuses more than 50 categories', () => {
    const document = body();
    document.categories = Array.from({ length: 51 }, (_, i) => ({ code: `category-${i}`, label: { 'zh-CN': `类别${i}`, en: `Category ${i}` } }));
    document.rules = rules(document).filter((rule) => rule.category === undefined);
    expect(refusedFields(document)).toEqual(['categories']);
  });
});

describe('complaint policy rules', () => {
  it('applies the rule of the severity and category, else the one of the severity', () => {
    expect(limitsFor(defaultComplaintPolicies, 'low', 'privacy').resolve).toBe(2_400);
    expect(limitsFor(defaultComplaintPolicies, 'low', 'billing').resolve).toBe(4_800);
    expect(limitsFor(defaultComplaintPolicies, 'critical', 'privacy')).toEqual({ acknowledge: 30, firstResponse: 60, resolve: 480, followUp: 960 });
  });

  it('tightens the limits with severity in the defaults', () => {
    const order = ['low', 'medium', 'high', 'critical'] as const;
    for (let i = 1; i < order.length; i++) {
      const looser = limitsFor(defaultComplaintPolicies, order[i - 1]!, 'service');
      const tighter = limitsFor(defaultComplaintPolicies, order[i]!, 'service');
      expect(tighter.acknowledge).toBeLessThanOrEqual(looser.acknowledge);
      expect(tighter.resolve).toBeLessThan(looser.resolve);
    }
    expect(defaultComplaintPolicies.categories.filter((c) => c.privacy).map((c) => c.code)).toEqual(['privacy']);
  });
});
