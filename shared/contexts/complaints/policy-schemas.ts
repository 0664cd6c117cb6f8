import * as z from 'zod/mini';
import { businessCalendarSchema } from '../../platform/calendar/index.js';
import { complaintSeverities } from './types.js';

/** A year of minutes: the longest time limit or escalation delay a policy may set. */
export const MAX_POLICY_MINUTES = 525_600;
export const MAX_CATEGORIES = 50;
export const MAX_RULES = 200;
export const MAX_DEPARTMENTS = 100;
export const MAX_ROOT_CAUSES = 100;
export const MAX_REOPEN_WINDOW_DAYS = 3_650;

/** Category, department and root-cause codes: lowercase, digits and hyphens, 2 to 40 characters. */
export const complaintCodePattern = /^[a-z][a-z0-9-]{1,39}$/;
export const complaintCode = z.string().check(z.regex(complaintCodePattern, 'must be a lowercase code of 2 to 40 letters, digits and hyphens'));

/** Business minutes: a positive whole number, at most a year. */
const minutes = z.int().check(z.positive(), z.maximum(MAX_POLICY_MINUTES));
const label = z.string().check(z.trim(), z.minLength(1), z.maxLength(100));

export const complaintCategorySchema = z.strictObject({
  code: complaintCode,
  label: z.strictObject({ 'zh-CN': label, en: label }),
  /** Complaints of this category concern personal data: routed to the data-protection officer. */
  privacy: z.optional(z.boolean()),
});

/** A department or a root cause: a code and its labels. */
export const complaintCodeLabelSchema = z.strictObject({
  code: complaintCode,
  label: z.strictObject({ 'zh-CN': label, en: label }),
});

export const complaintLimitsSchema = z.strictObject({
  acknowledge: minutes,
  firstResponse: minutes,
  resolve: minutes,
  followUp: minutes,
});

export const complaintPolicyRuleSchema = z.strictObject({
  severity: z.enum(complaintSeverities),
  category: z.optional(complaintCode),
  limits: complaintLimitsSchema,
});

const escalationSchema = z.strictObject({
  /** Business minutes after a missed deadline before the department lead is told (level 2). */
  departmentLeadAfter: minutes,
  /** Business minutes after a missed deadline before management is told (level 3). */
  managementAfter: minutes,
});

const staffAddress = z.email();
const escalationContactsSchema = z.strictObject({
  /** Department code -> the address of its lead. */
  departmentLeads: z.record(complaintCode, staffAddress),
  management: z.optional(staffAddress),
});

/** The fields of a policy document that an administrator sets. */
const documentShape = {
  calendar: businessCalendarSchema,
  categories: z.array(complaintCategorySchema).check(z.minLength(1), z.maxLength(MAX_CATEGORIES)),
  departments: z.array(complaintCodeLabelSchema).check(z.minLength(1), z.maxLength(MAX_DEPARTMENTS)),
  rootCauses: z.array(complaintCodeLabelSchema).check(z.minLength(1), z.maxLength(MAX_ROOT_CAUSES)),
  rules: z.array(complaintPolicyRuleSchema).check(z.minLength(complaintSeverities.length), z.maxLength(MAX_RULES)),
  escalation: escalationSchema,
  escalationContacts: escalationContactsSchema,
  reopenWindowDays: z.int().check(z.positive(), z.maximum(MAX_REOPEN_WINDOW_DAYS)),
};

interface DocumentFields {
  categories?: Array<{ code?: unknown }>;
  departments?: Array<{ code?: unknown }>;
  rootCauses?: Array<{ code?: unknown }>;
  rules?: Array<{ severity?: unknown; category?: unknown }>;
  escalation?: { departmentLeadAfter?: unknown; managementAfter?: unknown };
  escalationContacts?: { departmentLeads?: Record<string, unknown> };
}

/**
 * What the fields alone cannot say: category, department and root-cause codes are unique,
 * every department lead is of a listed department, every rule names a known
 * category and no two rules the same severity and category, every severity has a rule
 * without a category (the fallback), management is reached after the department lead.
 * Each problem names the field it is about.
 */
const coherent = z.superRefine((document: DocumentFields, ctx) => {
  const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', message, path, input: undefined });
  const codes = (field: 'categories' | 'departments' | 'rootCauses', what: string): Set<unknown> => {
    const list = Array.isArray(document[field]) ? document[field] : [];
    const known = new Set<unknown>();
    list.forEach((entry, i) => {
      if (known.has(entry?.code)) issue([field, i, 'code'], `names a ${what} already listed`);
      known.add(entry?.code);
    });
    return known;
  };
  const known = codes('categories', 'category');
  const departments = codes('departments', 'department');
  codes('rootCauses', 'root cause');
  const rules = Array.isArray(document.rules) ? document.rules : [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (rule?.category !== undefined && !known.has(rule.category)) issue(['rules', i, 'category'], 'names no listed category');
    const key = `${String(rule?.severity)}/${String(rule?.category ?? '')}`;
    if (seen.has(key)) issue(['rules', i], 'repeats the severity and category of an earlier rule');
    seen.add(key);
  });
  if (Array.isArray(document.rules)) {
    for (const severity of complaintSeverities) {
      if (!rules.some((rule) => rule?.severity === severity && rule.category === undefined)) {
        issue(['rules'], `has no rule for severity ${severity} without a category`);
      }
    }
  }
  const { departmentLeadAfter, managementAfter } = document.escalation ?? {};
  if (typeof departmentLeadAfter === 'number' && typeof managementAfter === 'number' && managementAfter <= departmentLeadAfter) {
    issue(['escalation', 'managementAfter'], 'must be later than departmentLeadAfter');
  }
  const leads = document.escalationContacts?.departmentLeads;
  if (leads && typeof leads === 'object') {
    if (Object.keys(leads).length > MAX_DEPARTMENTS) {
      issue(['escalationContacts', 'departmentLeads'], `names more than ${MAX_DEPARTMENTS} departments`);
    }
    if (Array.isArray(document.departments)) {
      for (const code of Object.keys(leads)) {
        if (!departments.has(code)) issue(['escalationContacts', 'departmentLeads', code], 'names no listed department');
      }
    }
  }
});

/** `PUT /v1/complaint-policies`: the whole document; `version` (or `If-Match`) guards against a lost update. */
export const putComplaintPoliciesSchema = z
  .strictObject({ ...documentShape, version: z.optional(z.int().check(z.minimum(0))) })
  .check(coherent);
export type PutComplaintPoliciesInput = z.infer<typeof putComplaintPoliciesSchema>;

/** The document in force, as `GET /v1/complaint-policies` answers it. Version 0: the defaults, never changed. */
export const complaintPoliciesSchema = z.object({
  ...documentShape,
  version: z.int(),
  updatedAt: z.optional(z.string()),
  updatedBy: z.optional(z.string()),
});
