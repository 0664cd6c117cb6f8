import type { ComplaintAnnouncer, ComplaintDeadlineJob } from '../contexts/complaints/escalation.js';
import type { ComplaintPolicyService } from '../contexts/complaints/policies.js';
import type { ComplaintService } from '../contexts/complaints/service.js';
import type { ImprovementActionService } from '../contexts/complaints/improvements.js';
import type { ComplaintReportService } from '../contexts/complaints/reports.js';
import type { ConsentService } from '../contexts/consent/index.js';
import type { CustomerService } from '../contexts/customers/index.js';
import type { ErasureService, ErasureSupervisor } from '../contexts/erasure/index.js';
import type { ExportService } from '../contexts/exports/index.js';
import type { InteractionService } from '../contexts/interactions/index.js';
import type { RequestService } from '../contexts/requests/index.js';
import type { RetentionService } from '../contexts/retention/index.js';
import type { SelfService } from '../contexts/self-service/index.js';
import type { SharingService } from '../contexts/sharing/index.js';
import type { RiskFlagService } from '../contexts/risk-flags/index.js';
import type { SurveyService } from '../contexts/surveys/service.js';
import type { SurveyDispatchService } from '../contexts/surveys/dispatch.js';
import type { SurveyResponseService } from '../contexts/surveys/responses.js';
import type { SurveyResultsService } from '../contexts/surveys/results.js';
import type { IncidentDeadlineMonitor } from '../contexts/incidents/deadline-monitor.js';
import type { NotificationService } from '../contexts/incidents/notifications.js';
import type { IncidentReportService } from '../contexts/incidents/reports.js';
import type { ScopeService } from '../contexts/incidents/scope.js';
import type { IncidentService } from '../contexts/incidents/service.js';
import type { AccessDetector, FindingService } from '../contexts/security/index.js';
import type { SubjectResolver } from '../platform/audit/index.js';
import type { Config } from './config.js';
import { createWiring, type Overrides, type Wiring } from './wiring.js';

/** What every function has, whichever services it serves. */
export type Foundation = Pick<Wiring, 'config' | 'store' | 'keys' | 'audit' | 'downloads'>;

/** The wired services: what handlers call. Built once per process (cold start). */
export interface Container extends Foundation {
  /** How verification recomputes the content hash of each kind of audited target. */
  subjects: Readonly<Record<string, SubjectResolver>>;
  customers: CustomerService;
  interactions: InteractionService;
  consent: ConsentService;
  exports: ExportService;
  sharing: SharingService;
  requests: RequestService;
  erasure: ErasureService;
  /** Unfinished erasures: listed, resumed, retried. */
  erasures: ErasureSupervisor;
  retention: RetentionService;
  self: SelfService;
  /** Complaint categories, time limits and escalation (CMP-3). */
  complaintPolicies: ComplaintPolicyService;
  /** Complaints: intake, workflow, time limits (CMP-1 to CMP-3). */
  complaints: ComplaintService;
  /** The complaint deadline schedule. */
  complaintDeadlines: ComplaintDeadlineJob;
  /** Tells staff of complaint escalations (the complaint-escalations queue's consumer). */
  complaintAnnouncer: ComplaintAnnouncer;
  /** The complaints report (CMP-4). */
  complaintReports: ComplaintReportService;
  /** Improvement actions against complaint causes, with their measured effect. */
  improvements: ImprovementActionService;
  /** Risk flags: customers to call back after a low score or a troubled complaint (SAT-3, AN-3). */
  riskFlags: RiskFlagService;
  /** Survey definitions and versions (SAT-1). */
  surveys: SurveyService;
  /** Survey dispatches: audience, sampling, invitations through the queue (SAT-2). */
  surveyDispatches: SurveyDispatchService;
  /** Answers to survey invitations, through a link or a customer token. */
  surveyResponses: SurveyResponseService;
  /** Survey results from aggregates, and free-text answers under pseudonyms (SAT-2). */
  surveyResults: SurveyResultsService;
  /** Breach incidents: record, transitions, remediation, closure (BR-1, BR-4). */
  incidents: IncidentService;
  /** The affected customers of an incident, found by a job (BR-1). */
  incidentScopes: ScopeService;
  /** Notices to the affected customers through the queue (BR-3). */
  incidentNotifications: NotificationService;
  /** The regulators' reports and their submissions (BR-2). */
  incidentReports: IncidentReportService;
  /** The deadline schedule: alerts at fractions of each legal deadline (BR-2). */
  incidentDeadlines: IncidentDeadlineMonitor;
  /** Unusual access found in the audit trail as it is written (SEC-6). */
  accessDetector: AccessDetector;
  /** The detector's findings (SEC-6). */
  securityFindings: FindingService;
}

export type ServiceName = Exclude<keyof Container, keyof Foundation>;

/** The services a function's routes call, built from its wiring (shared/runtime/services). */
export type ServicesOf<K extends ServiceName> = (wiring: Wiring) => Pick<Container, K>;

/**
 * A function's container: the foundation and only the services `services` builds, so its
 * bundle carries and its cold start constructs nothing else (each Lambda entry point
 * names its own; see functions/<context>/index.ts).
 */
export function composeContainer<K extends ServiceName>(config: Config, overrides: Overrides, services: ServicesOf<K>): Foundation & Pick<Container, K> {
  const wiring = createWiring(config, overrides);
  const { store, keys, audit, downloads } = wiring;
  return { config, store, keys, audit, downloads, ...services(wiring) };
}
