import * as z from 'zod/mini';
import { complaintCode } from './policy-schemas.js';

/** The longest range one report covers. */
export const MAX_REPORT_DAYS = 366;
/** Days counted before an action's creation and after its completion, unless asked otherwise. */
export const DEFAULT_EFFECT_DAYS = 30;
/** Bounds the days one action's effect reads (twice this, times the shards). */
export const MAX_EFFECT_DAYS = 90;
/**
 * Days outside its range a report reads for its actions' effects, at most: the newest actions
 * get theirs while the days they need fit, the others are listed without. A report reads at
 * most (MAX_REPORT_DAYS + REPORT_EFFECT_DAYS) x shards day items.
 */
export const REPORT_EFFECT_DAYS = 366;

/** Days as `YYYY-MM-DD`, counted in UTC arithmetic (local calendar dates, no instants). */
const DAY_MS = 86_400_000;
export const dayNumber = (date: string): number => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
export const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const addDays = (date: string, days: number): string => dateOfDay(dayNumber(date) + days);

export const reportIntervals = ['day', 'week', 'month'] as const;
export type ReportInterval = (typeof reportIntervals)[number];

export const complaintReportQuery = z
  .strictObject({
    /** First local day of the range (the calendar's time zone), inclusive. */
    from: z.iso.date('must be a date YYYY-MM-DD'),
    /** Last local day of the range, inclusive. */
    to: z.iso.date('must be a date YYYY-MM-DD'),
    interval: z.optional(z.enum(reportIntervals)),
  })
  .check(
    z.refine((q) => q.to >= q.from, { message: 'must not be before from', path: ['to'] }),
    z.refine((q) => q.to < q.from || dayNumber(q.to) - dayNumber(q.from) < MAX_REPORT_DAYS, {
      message: `a report covers at most ${MAX_REPORT_DAYS} days`,
      path: ['to'],
    }),
  );
export type ComplaintReportQuery = z.infer<typeof complaintReportQuery>;

/** `p50 <= X minutes`: the upper bound of the bucket the percentile falls in. */
const durations = z.object({
  /** Durations counted. */
  count: z.int(),
  /** Null without durations, or when the percentile lies beyond the last bucket (30 days). */
  p50: z.nullable(z.number()),
  p90: z.nullable(z.number()),
});
const share = z.nullable(z.number());
const counts = z.record(z.string(), z.int());

export const complaintReportFiguresSchema = z.object({
  received: z.int(),
  byCategory: counts,
  byChannel: counts,
  /** Complaints routed to each department (at intake or by an assignment) in the period. */
  byDepartment: counts,
  bySeverity: counts,
  acknowledged: z.int(),
  resolved: z.int(),
  /** Elapsed minutes from receipt to the first acknowledgement, of those acknowledged in the period. */
  ackMinutes: durations,
  /** Elapsed minutes from receipt to resolution, of those resolved in the period. */
  resolveMinutes: durations,
  /** Share (0..1) of the limits met, of those decided at resolutions in the period; null without any. */
  metWithinLimit: z.object({ acknowledge: share, firstResponse: share, resolve: share }),
  /** Reopenings per resolution in the period; null without resolutions. */
  reopenRate: share,
  followUp: z.object({
    count: z.int(),
    /** Satisfied of those reached (satisfied or not); null without any. */
    satisfiedShare: share,
    meanRating: z.nullable(z.number()),
    ratings: counts,
  }),
  /** Escalations by level (1 assignee, 2 department lead, 3 management) reached in the period. */
  escalations: counts,
  /** The most frequent root causes of the resolutions in the period, most frequent first. */
  topRootCauses: z.array(z.object({ code: z.string(), count: z.int() })),
});

export const complaintReportPeriodSchema = z.object({
  /** `YYYY-MM-DD` (day), `YYYY-Www` (ISO week), `YYYY-MM` (month). */
  period: z.string(),
  /** The period's days within the range, inclusive. */
  start: z.string(),
  end: z.string(),
  ...complaintReportFiguresSchema.shape,
});

export const improvementStatuses = ['planned', 'in-progress', 'done'] as const;
export type ImprovementStatus = (typeof improvementStatuses)[number];

const staffId = z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[\w.:@/-]+$/, 'must be a staff id'));
const actionText = z.string().check(z.trim(), z.minLength(1), z.maxLength(1000));

export const createImprovementSchema = z
  .strictObject({
    /** The root-cause code the action addresses. */
    cause: z.optional(complaintCode),
    /** The complaint category it addresses. */
    category: z.optional(complaintCode),
    action: actionText,
    owner: staffId,
    dueDate: z.iso.date('must be a date YYYY-MM-DD'),
    status: z.optional(z.enum(improvementStatuses)),
    /** Days counted before and after for its effect (default 30). */
    effectDays: z.optional(z.int().check(z.minimum(1), z.maximum(MAX_EFFECT_DAYS))),
  })
  .check(z.refine((a) => a.cause !== undefined || a.category !== undefined, { message: 'name a cause or a category (or both)', path: ['cause'] }));
export type CreateImprovementInput = z.infer<typeof createImprovementSchema>;

export const updateImprovementSchema = z
  .strictObject({
    status: z.optional(z.enum(improvementStatuses)),
    action: z.optional(actionText),
    owner: z.optional(staffId),
    dueDate: z.optional(z.iso.date('must be a date YYYY-MM-DD')),
    /** The version read: the update applies only if nobody changed the action meanwhile. */
    version: z.int().check(z.positive()),
  })
  .check(
    z.refine((u) => u.status !== undefined || u.action !== undefined || u.owner !== undefined || u.dueDate !== undefined, {
      message: 'change at least one of status, action, owner, dueDate',
      path: ['status'],
    }),
  );
export type UpdateImprovementInput = z.infer<typeof updateImprovementSchema>;

export const improvementIdParams = z.strictObject({ id: z.uuid('must be an improvement action id (UUID)') });

export const listImprovementsQuery = z.strictObject({
  status: z.optional(z.enum(improvementStatuses)),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(50))),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});
export type ListImprovementsQuery = z.infer<typeof listImprovementsQuery>;

export const improvementEffectSchema = z.object({
  /** What is counted: resolutions with the cause, or complaints received in the category (when no cause is named). */
  measure: z.enum(['cause', 'category']),
  days: z.int(),
  /** In the `days` local days before the day it was created. */
  before: z.int(),
  /** In the `days` local days after the day it was done; null until it is done. */
  after: z.nullable(z.int()),
  /** How many of those days after have passed (the count is final when it equals `days`). */
  afterDays: z.int(),
});

const improvementFields = {
  id: z.uuid(),
  cause: z.optional(z.string()),
  category: z.optional(z.string()),
  action: z.string(),
  owner: z.string(),
  dueDate: z.string(),
  status: z.enum(improvementStatuses),
  effectDays: z.int(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  doneAt: z.optional(z.string()),
  version: z.int(),
};
/** An action as a listing shows it: without its effect (GET the action, or the report, for that). */
export const improvementSummarySchema = z.object(improvementFields);
/** One action with its effect so far. */
export const improvementActionSchema = z.object({ ...improvementFields, effect: improvementEffectSchema });
/** An action in a report: with its effect while the days it reads fit REPORT_EFFECT_DAYS, else without. */
export const reportedImprovementSchema = z.object({ ...improvementFields, effect: z.optional(improvementEffectSchema) });
export type ImprovementSummary = z.infer<typeof improvementSummarySchema>;
export type ImprovementAction = z.infer<typeof improvementActionSchema>;
export type ReportedImprovement = z.infer<typeof reportedImprovementSchema>;
export type ImprovementEffect = z.infer<typeof improvementEffectSchema>;

export const improvementPageSchema = z.object({ items: z.array(improvementSummarySchema), cursor: z.optional(z.string()) });

export const complaintReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  interval: z.enum(reportIntervals),
  /** The calendar time zone whose local days the report counts. */
  timeZone: z.string(),
  series: z.array(complaintReportPeriodSchema),
  totals: complaintReportFiguresSchema,
  /**
   * Actions open during the range or done within it, newest first (at most 50), each with its
   * effect while the days the effects read outside the range stay within REPORT_EFFECT_DAYS.
   */
  improvementActions: z.array(reportedImprovementSchema),
});
export type ComplaintReport = z.infer<typeof complaintReportSchema>;
export type ComplaintReportFigures = z.infer<typeof complaintReportFiguresSchema>;
