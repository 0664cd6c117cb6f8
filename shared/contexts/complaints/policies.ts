import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { defaultBusinessCalendar } from '../../platform/calendar/index.js';
import { PreconditionFailedError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type Store, type StoreItem } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { putComplaintPoliciesSchema, type PutComplaintPoliciesInput } from './policy-schemas.js';
import type { ComplaintCategory, ComplaintLimits, ComplaintPolicies } from './types.js';

const T = dataTable.name;
export const COMPLAINT_POLICIES_KEY = { pk: 'CONFIG#complaint-policies', sk: 'CONFIG' } as const;
/** How long a container answers the policies it read before reading them again. */
export const POLICY_CACHE_MS = 60_000;

const limits = (acknowledge: number, firstResponse: number, resolve: number, followUp: number): ComplaintLimits => ({
  acknowledge,
  firstResponse,
  resolve,
  followUp,
});

/**
 * The policies in force until an administrator sets others (version 0). Limits are business
 * minutes of the calendar (a working day of the default calendar is 480 minutes):
 *
 * | severity | acknowledge | first response | resolve           | follow-up after resolution |
 * |----------|-------------|----------------|-------------------|----------------------------|
 * | critical | 30 min      | 1 h            | 1 day (480)       | 2 days (960)               |
 * | high     | 1 h         | 4 h            | 3 days (1,440)    | 3 days (1,440)             |
 * | medium   | 2 h         | 1 day (480)    | 5 days (2,400)    | 5 days (2,400)             |
 * | low      | 4 h         | 1 day (480)    | 10 days (4,800)   | 5 days (2,400)             |
 *
 * Privacy complaints of low and medium severity are resolved within 5 days (PIPL art. 50 asks
 * for a timely answer to a data subject). A missed deadline reaches the department lead
 * 2 business hours later and management after one business day.
 */
export const defaultComplaintPolicies: ComplaintPolicies = {
  calendar: defaultBusinessCalendar,
  categories: [
    { code: 'service', label: { 'zh-CN': '服务态度与流程', en: 'Service' } },
    { code: 'product-quality', label: { 'zh-CN': '产品质量', en: 'Product quality' } },
    { code: 'billing', label: { 'zh-CN': '账单与收费', en: 'Billing' } },
    { code: 'delivery', label: { 'zh-CN': '配送与交付', en: 'Delivery' } },
    { code: 'staff-conduct', label: { 'zh-CN': '员工行为', en: 'Staff conduct' } },
    { code: 'privacy', label: { 'zh-CN': '个人信息保护', en: 'Privacy and personal data' }, privacy: true },
    { code: 'other', label: { 'zh-CN': '其他', en: 'Other' } },
  ],
  departments: [
    { code: 'customer-service', label: { 'zh-CN': '客户服务部', en: 'Customer service' } },
    { code: 'finance', label: { 'zh-CN': '财务部', en: 'Finance' } },
    { code: 'logistics', label: { 'zh-CN': '物流部', en: 'Logistics' } },
    { code: 'product', label: { 'zh-CN': '产品部', en: 'Product' } },
    { code: 'data-protection', label: { 'zh-CN': '个人信息保护', en: 'Data protection' } },
  ],
  rootCauses: [
    { code: 'billing-error', label: { 'zh-CN': '计费错误', en: 'Billing error' } },
    { code: 'delivery-delay', label: { 'zh-CN': '配送延误', en: 'Delivery delay' } },
    { code: 'product-defect', label: { 'zh-CN': '产品缺陷', en: 'Product defect' } },
    { code: 'staff-conduct', label: { 'zh-CN': '员工行为', en: 'Staff conduct' } },
    { code: 'process-gap', label: { 'zh-CN': '流程缺失', en: 'Process gap' } },
    { code: 'system-fault', label: { 'zh-CN': '系统故障', en: 'System fault' } },
    { code: 'communication', label: { 'zh-CN': '沟通不畅', en: 'Communication' } },
    { code: 'third-party', label: { 'zh-CN': '第三方原因', en: 'Third party' } },
    { code: 'other', label: { 'zh-CN': '其他', en: 'Other' } },
  ],
  rules: [
    { severity: 'critical', limits: limits(30, 60, 480, 960) },
    { severity: 'high', limits: limits(60, 240, 1_440, 1_440) },
    { severity: 'medium', limits: limits(120, 480, 2_400, 2_400) },
    { severity: 'low', limits: limits(240, 480, 4_800, 2_400) },
    { severity: 'medium', category: 'privacy', limits: limits(60, 240, 2_400, 2_400) },
    { severity: 'low', category: 'privacy', limits: limits(120, 480, 2_400, 2_400) },
  ],
  escalation: { departmentLeadAfter: 120, managementAfter: 480 },
  escalationContacts: { departmentLeads: {} },
  reopenWindowDays: 30,
  version: 0,
};

type StoredPolicies = StoreItem & ComplaintPolicies;

/**
 * The complaint policies (CMP-3): categories, time limits per severity and category, the
 * escalation delays and contacts, the reopen window and the business calendar, as one
 * versioned document. Read often (every intake and deadline check), changed rarely: a
 * container answers what it read for up to a minute.
 */
export class ComplaintPolicyService {
  private cached?: { at: number; policies: ComplaintPolicies };

  constructor(private readonly deps: { store: Store; clock: Clock; audit: AuditTrail }) {}

  /** The policies in force: the stored document, or the defaults while none was stored. */
  async current(): Promise<ComplaintPolicies> {
    const now = this.deps.clock.now().getTime();
    if (this.cached && now - this.cached.at >= 0 && now - this.cached.at < POLICY_CACHE_MS) return this.cached.policies;
    const policies = await this.read();
    this.cached = { at: now, policies };
    return policies;
  }

  async category(code: string): Promise<ComplaintCategory | undefined> {
    return (await this.current()).categories.find((category) => category.code === code);
  }

  /**
   * Replaces the document. `expectedVersion` (If-Match, or the body's `version`) is the
   * version read: a document changed since answers 412 and nothing is written.
   */
  async put(input: PutComplaintPoliciesInput, context: AuditContext, expectedVersion?: number): Promise<ComplaintPolicies> {
    const checked = putComplaintPoliciesSchema.safeParse(input);
    if (!checked.success) {
      const issues = checked.error.issues.map((issue) => ({ field: issue.path.map(String).join('.') || 'body', message: issue.message }));
      throw new ValidationError(`Invalid complaint policies: ${[...new Set(issues.map((i) => i.field))].join(', ')}.`, issues);
    }
    const { version: bodyVersion, ...document } = checked.data;
    if (expectedVersion !== undefined && bodyVersion !== undefined && expectedVersion !== bodyVersion) {
      throw new ValidationError('If-Match and version name different versions.', [{ field: 'version', message: 'differs from If-Match' }]);
    }
    const expected = expectedVersion ?? bodyVersion;
    const stored = await this.stored();
    const currentVersion = stored?.version ?? 0;
    if (expected !== undefined && expected !== currentVersion) {
      throw new PreconditionFailedError(`The complaint policies are at version ${currentVersion}.`, expectedVersion !== undefined ? 'If-Match' : 'version');
    }
    const at = this.deps.clock.now();
    const next: ComplaintPolicies = {
      ...document,
      version: currentVersion + 1,
      updatedAt: at.toISOString(),
      updatedBy: context.actor.id,
    };
    try {
      await this.deps.audit.commit(context, [{ action: 'complaint-policies.update', target: { type: 'purpose', id: 'complaint-policies' } }], [
        {
          op: 'put',
          table: T,
          item: { ...COMPLAINT_POLICIES_KEY, kind: 'complaint-policies', ...next },
          condition: stored ? { kind: 'version', version: stored.version } : { kind: 'absent' },
          label: 'complaint-policies',
        },
      ]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new PreconditionFailedError('The complaint policies changed meanwhile; read them again.');
      throw error;
    }
    this.cached = { at: at.getTime(), policies: next };
    return next;
  }

  private async stored(): Promise<ComplaintPolicies | undefined> {
    const item = await this.deps.store.get<StoredPolicies>(T, COMPLAINT_POLICIES_KEY);
    if (!item) return undefined;
    const { pk: _pk, sk: _sk, kind: _kind, ...policies } = item;
    // Documents stored before departments and root causes were listed read back with the defaults.
    return {
      ...policies,
      departments: policies.departments ?? defaultComplaintPolicies.departments,
      rootCauses: policies.rootCauses ?? defaultComplaintPolicies.rootCauses,
    } as ComplaintPolicies;
  }

  private async read(): Promise<ComplaintPolicies> {
    return (await this.stored()) ?? defaultComplaintPolicies;
  }
}
