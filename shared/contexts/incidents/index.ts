export { IncidentService, draftIdOf } from './service.js';
export type { IncidentServiceDeps, IncidentScopes, IncidentNotifications } from './service-deps.js';
export { IncidentRepository, incidentTextContext } from './repository.js';
export { applyTransition, individualsOwed, IncidentActionConflictError, type TransitionContext } from './transitions.js';
export { allowedIncidentActions, checkIncidentTransition, isUnclosed, type IncidentTransitionCheck, type TransitionFacts } from './state-machine.js';
export { noteKeys, timingsOf, toIncident, type PresentFacts } from './presenter.js';
export { jurisdictionOf } from './jurisdictions.js';
export * from './keys.js';
export * from './schemas.js';
export * from './types.js';
// Deadlines, grading and reports.
export { defaultObligations, parseObligations, deadlineOf, deadlinesOf, hoursOf, intelligibleOf, type DeadlineFacts } from './obligations.js';
export { effectiveGrade, gradeAtLeast, gradeOf, maxGrade } from './grading.js';
export { IncidentDeadlineMonitor, DEFAULT_ALERT_FRACTIONS, fractionLabel, type IncidentDeadlineMonitorDeps, type DeadlineMonitorRun } from './deadline-monitor.js';
export { IncidentReportService, type IncidentReportServiceDeps, type SubmitReportInput, type SubmissionPhase } from './reports.js';
export { reportItems, delayItem, type ReportFacts } from './report-items.js';
// The scope job.
export { ScopeService, SCOPE_PAGE_WRITES, UNKNOWN_REGION, type ScopeServiceDeps, type ScopeIncidents, type ScopeProfiles, type ScopePageOutcome } from './scope.js';
export { ScopeRepository, presentRun, SCOPE_RUNNING, SCOPE_RUNNING_SHARDS, type AffectedCustomer, type ScopeRunFields } from './scope-repository.js';
export { readSource, MAX_EXPLICIT_CUSTOMERS, SOURCE_PAGE, SHARES_PAGE, type ScopeSources, type SourcePage, type ActorEntries, type PartnerShares, type SegmentListing } from './scope-sources.js';
// The customers' notification.
export { NotificationService, NoticeNotSentError, NOTIFICATION_PAGE, type NotificationDeps, type NoticeRef, type NoticeOutcome } from './notifications.js';
export { NoticeRepository, presentNotice, NOTIFY_UNFINISHED, NOTIFY_UNFINISHED_SHARDS, type NoticeCounts, type NoticeFields, type NoticeItem, type NotifyRunFields } from './notice-repository.js';
export { noticeMessage, categoryList, type NoticeFacts, type NoticeLanguage } from './notice-messages.js';
