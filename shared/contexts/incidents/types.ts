/**
 * Breach incidents (BR-1 to BR-4): what happened, who is affected, which legal clocks run,
 * the reports made, the customers told, the remediation and its closure. Free text is
 * sealed under the incident's own data key (`incident:<id>` in the key ring), since staff
 * write names into descriptions; ids, codes and times stay clear for the indexes.
 */

export const incidentStatuses = ['open', 'assessed', 'contained', 'notifying', 'remediated', 'closed'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const discoverySources = ['staff', 'detector', 'partner', 'customer', 'drill'] as const;
export type DiscoverySource = (typeof discoverySources)[number];

export const incidentSeverities = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof incidentSeverities)[number];

/** Where affected people live, as far as the law goes: from the customer's region code. */
export const jurisdictions = ['EU', 'CN', 'OTHER'] as const;
export type Jurisdiction = (typeof jurisdictions)[number];

/** The report a regime asks for: the `{jurisdiction}` of `GET /v1/incidents/{id}/reports/{jurisdiction}`. */
export const reportRegimes = ['gdpr', 'pipl', 'cac'] as const;
export type ReportRegime = (typeof reportRegimes)[number];

/** What kind of data leaked: the customer record's field groups and the records beside it. */
export const incidentDataCategories = ['identity', 'contact', 'address', 'sensitive', 'needs', 'interactions', 'complaints', 'surveys', 'consents', 'credentials', 'other'] as const;
export type IncidentDataCategory = (typeof incidentDataCategories)[number];

/** 网络安全事件 grades of the CAC measures, computed from the number of people affected (PI incidents). */
export const cacGrades = ['general', 'relatively-major', 'major', 'especially-major'] as const;
export type CacGrade = (typeof cacGrades)[number];

/** The operator type of the CAC measures (configuration): critical infrastructure reports within 1 hour, others within 4. */
export const operatorTypes = ['ordinary', 'critical-infrastructure', 'state-organ'] as const;
export type OperatorType = (typeof operatorTypes)[number];

/** Who a legal obligation is owed to. */
export type ObligationAudience = 'authority' | 'individuals';

/**
 * One legal obligation (in configuration, defaults from the law, obligations.ts): its clock
 * and when it applies. `hours` counts from `from`; `undefined` hours means "without undue
 * delay", tracked against `targetHours`.
 */
export interface Obligation {
  id: string;
  regime: ReportRegime;
  jurisdiction: Jurisdiction;
  audience: ObligationAudience;
  /** The article, shown with the deadline: `GDPR Art. 33(1)`. */
  basis: string;
  from: 'awareness' | 'handling-ended';
  hours?: number;
  /** Internal target for obligations the law words as "promptly" or "without undue delay". */
  targetHours?: number;
  /** The condition under which the obligation applies (see obligations.ts `applies`). */
  when: 'always' | 'high-risk-intelligible' | 'cac-grade' | 'affected-in-jurisdiction';
}

/** One deadline of an incident as shown: computed from the obligations and the incident. */
export interface Deadline {
  obligation: string;
  regime: ReportRegime;
  audience: ObligationAudience;
  basis: string;
  /** False when the obligation does not apply to this incident (the reason says why); still shown (Art. 33(5)). */
  applies: boolean;
  reason?: string;
  /** Absent while its clock has not started (a summary report before handling ended). */
  dueAt?: string;
  /** Milliseconds left (negative when past); absent with `dueAt`. */
  remainingMs?: number;
  /** Elapsed share of the time allowed, 0 to 1 and beyond. */
  elapsed?: number;
  state: 'not-applicable' | 'pending' | 'running' | 'met' | 'late' | 'missed' | 'explained';
  metAt?: string;
  /** Set when the deadline was moved: the reason is readable by the DPO only. */
  changed?: { at: string; by: string; from: string };
  /** Fractions of the time allowed already announced (0.5, 0.9, 1). */
  alerted: number[];
}

/** Which fields leaked and how (GDPR Art. 34(3)(a): data unintelligible to others need not be notified). */
export interface Exposure {
  /** Fields that leaked as stored ciphertext. */
  sealedFields: string[];
  /** Fields that leaked in clear (an export file, a screenshot, a decrypted copy). */
  clearFields: string[];
  /** Whether the data keys (or the KMS key's use) were exposed too: then sealed fields count as clear. */
  keysExposed: boolean;
}

export interface Assessment {
  /** Whether the risk to the people affected is high (decides Art. 34 and the individuals' notice). */
  highRisk: boolean;
  /** Likely consequences for the people affected (sealed). */
  consequences: string;
  /** Causes as far as known (sealed). */
  cause: string;
  /** What the people affected can do (sealed): the notice's remedial advice. */
  advice: string;
  exposure: Exposure;
  /** Whether the data was intelligible to others (derived from `exposure`). */
  intelligible: boolean;
  assessedAt: string;
  assessedBy: string;
}

export type RemediationStatus = 'open' | 'in-progress' | 'done';
export interface RemediationStep {
  id: string;
  /** What is to be done (sealed). */
  action: string;
  owner: string;
  dueOn: string;
  status: RemediationStatus;
  doneAt?: string;
  updatedAt: string;
}

/** One status change: who, when and why (the reason sealed), as the audit trail records it too. */
export interface IncidentHistoryEntry {
  action: IncidentAction;
  from: IncidentStatus;
  to: IncidentStatus;
  at: string;
  by: string;
  reason?: string;
}

export const incidentActions = ['assess', 'contain', 'notify', 'remediate', 'close'] as const;
export type IncidentAction = (typeof incidentActions)[number];

/** A scope run: how affected customers were found (a job, BR-1). */
export type ScopeSource =
  | { by: 'actor'; actor: string; from: string; to: string }
  | { by: 'partner'; partnerId: string; from: string; to: string }
  | { by: 'segment'; segment: { type?: string; region?: string; tier?: string; stage?: string; tag?: string } }
  | { by: 'customers'; customerIds: string[] };

export interface ScopeRun {
  id: string;
  source: ScopeSource;
  state: 'running' | 'done';
  /** Entries, shares or customers read so far. */
  read: number;
  /** Customers newly added by this run (a customer already in scope counts once). */
  added: number;
  pages: number;
  startedAt: string;
  finishedAt?: string;
}

/** The affected set's counts, summed from its counter shards. */
export interface ScopeCounts {
  affected: number;
  byRegion: Record<string, number>;
  byJurisdiction: Partial<Record<Jurisdiction, number>>;
  byCategory: Partial<Record<IncidentDataCategory, number>>;
}

export type NotificationState = 'queued' | 'sending' | 'sent' | 'failed' | 'undeliverable' | 'skipped';
export interface NotificationProgress {
  affected: number;
  /** Affected customers the run has not reached yet (pages still to write). */
  pending: number;
  /** Notices queued or being sent. */
  queued: number;
  sent: number;
  failed: number;
  undeliverable: number;
  skipped: number;
  /** pending + queued + sent + failed + undeliverable + skipped = affected, always. */
  state: 'not-started' | 'running' | 'done';
  startedAt?: string;
  finishedAt?: string;
  drill: boolean;
}

/** A customer's notification (one per incident and customer): pseudonymous, no contact. */
export interface CustomerNotification {
  customerId: string;
  channel?: 'email' | 'sms';
  state: NotificationState;
  /** Why it failed or was not sent: `notifier`, `interrupted`, `no-contact`, `erased`. */
  failure?: string;
  attempts: number;
  updatedAt: string;
}

/** A report handed to an authority: appended, never overwritten. */
export interface ReportSubmission {
  regime: ReportRegime;
  phase: 'initial' | 'follow-up' | 'final';
  submittedAt: string;
  recipient: string;
  reference: string;
  /** Sealed; readable by the DPO. */
  note?: string;
  recordedAt: string;
  recordedBy: string;
}

export interface ReportItem {
  /** `a` to `d` for GDPR Art. 33(3), PIPL Art. 57 items, CAC Art. 7 items. */
  key: string;
  label: string;
  value?: unknown;
  missing: boolean;
}

export interface IncidentReport {
  incidentId: string;
  regime: ReportRegime;
  obligation: string;
  basis: string;
  deadline: Deadline;
  items: ReportItem[];
  complete: boolean;
  /** When the report is or will be late: the reasons for the delay it must give (GDPR Art. 33(1)). */
  delayReason?: string;
  submissions: ReportSubmission[];
  generatedAt: string;
}

/** How long a drill (or an incident) took at each stage, to compare drills over time. */
export interface IncidentTimings {
  /** Scope runs' first start to last finish. */
  scopeMs?: number;
  /** Awareness to the first report submission recorded. */
  reportMs?: number;
  /** Notification start to its last message settled. */
  notificationMs?: number;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  source: DiscoverySource;
  /** Set for incidents the detector opened until the DPO assesses them. */
  draft: boolean;
  drill: boolean;
  /** The security finding that opened it. */
  findingId?: string;
  occurredAt: string;
  discoveredAt: string;
  /** When the company became aware: the legal clocks start here. */
  awareAt: string;
  dataCategories: IncidentDataCategory[];
  systems: string[];
  jurisdictions: Jurisdiction[];
  severity: IncidentSeverity;
  status: IncidentStatus;
  assessment?: Assessment;
  /** Measures taken (sealed): from `contain`, shown in reports and notices. */
  measures?: string;
  steps: RemediationStep[];
  history: IncidentHistoryEntry[];
  lessons?: string;
  /** The CAC grade from the affected count (or raised by the assessment). */
  grade: CacGrade;
  scope: { runs: ScopeRun[]; counts: ScopeCounts };
  deadlines: Deadline[];
  notifications: NotificationProgress;
  timings: IncidentTimings;
  /** When handling ended (remediated): the CAC summary report's clock. */
  handlingEndedAt?: string;
  closedAt?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
}

/** The incident's free text, sealed as one blob under its data key. `notes` holds reasons by what they explain. */
export interface IncidentText {
  title: string;
  description: string;
  consequences?: string;
  cause?: string;
  advice?: string;
  measures?: string;
  lessons?: string;
  /**
   * Reasons and notes: `history:<n>` (the n-th status change), `deadline:<obligation>`
   * (why it moved), `explain:<obligation>` (why it was missed or late), `step:<stepId>`
   * (the step's action), `grade` (why the grade was raised).
   */
  notes: Record<string, string>;
}

/**
 * An incident as the repository reads and writes it: the clear fields as stored and the
 * text opened. What `Incident` shows beyond it (deadlines, counts, progress, timings) is
 * computed when presented.
 */
export interface IncidentRecord {
  id: string;
  source: DiscoverySource;
  draft: boolean;
  drill: boolean;
  findingId?: string;
  occurredAt: string;
  discoveredAt: string;
  awareAt: string;
  dataCategories: IncidentDataCategory[];
  systems: string[];
  jurisdictions: Jurisdiction[];
  severity: IncidentSeverity;
  status: IncidentStatus;
  assessment?: Omit<Assessment, 'consequences' | 'cause' | 'advice'>;
  steps: Array<Omit<RemediationStep, 'action'>>;
  history: Array<Omit<IncidentHistoryEntry, 'reason'>>;
  /** A grade the assessment raised above the computed one (reason in `notes.grade`). */
  gradeOverride?: CacGrade;
  /** Deadlines moved, by obligation id (reason in `notes['deadline:<id>']`). */
  deadlineChanges: Record<string, { dueAt: string; from: string; at: string; by: string }>;
  /** Deadlines missed or late with the reason given (in `notes['explain:<id>']`). */
  explanations: Record<string, { at: string; by: string }>;
  /** Authority obligations met by a recorded submission. Individuals' ones are met when the notification run ends. */
  met: Record<string, { at: string; reference?: string }>;
  /** Alert fractions already announced, by obligation id. */
  alerted: Record<string, number[]>;
  firstReportAt?: string;
  handlingEndedAt?: string;
  closedAt?: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  version: number;
  text: IncidentText;
}

/** What the detector asks for when a finding reaches the incident level: a draft with the actor's reads as its scope. */
export interface DraftIncidentInput {
  findingId: string;
  rule: string;
  actor: string;
  /** The window whose reads by `actor` are the scope. */
  from: string;
  to: string;
  detectedAt: string;
  /** The actor is a drill account (thresholds `drillActors`): the incident is a drill, its notices go to the drill sink. */
  drill?: boolean;
}
