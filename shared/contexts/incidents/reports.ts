import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type Store, type StoreItem, type Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { incidentKey, SUBMISSION_PREFIX, submissionKey } from './keys.js';
import { deadlinesOf } from './obligations.js';
import { reportItems } from './report-items.js';
import type { IncidentRepository } from './repository.js';
import type { IncidentRecord, IncidentReport, NotificationProgress, Obligation, OperatorType, ReportRegime, ReportSubmission, ScopeCounts } from './types.js';

const T = dataTable.name;
const SUBMISSIONS_PAGE = 100;
const audited = (action: string, id: string) => ({ action, target: { type: 'incident', id } });
/** The note of a submission, kept in the incident's sealed text by the submission's sort key. */
const submissionNote = (sk: string) => `submission:${sk.slice(SUBMISSION_PREFIX.length)}`;

export interface IncidentReportServiceDeps {
  repository: Pick<IncidentRepository, 'find' | 'updateWrite'>;
  store: Pick<Store, 'query' | 'transact'>;
  audit: Pick<AuditTrail, 'record' | 'commit'>;
  clock: Clock;
  scope: { counts(incidentId: string): Promise<ScopeCounts> };
  notifications: { progress(incidentId: string): Promise<NotificationProgress> };
  obligations: Obligation[];
  operatorType: OperatorType;
  /** Who authorities contact about the incident: the DPO's details. */
  contact: string;
}

export type SubmissionPhase = ReportSubmission['phase'];
export interface SubmitReportInput {
  phase: SubmissionPhase;
  submittedAt: string;
  recipient: string;
  reference: string;
  note?: string;
}

interface SubmissionItem extends StoreItem {
  pk: string;
  sk: string;
  kind: 'incident-submission';
  incidentId: string;
  regime: ReportRegime;
  phase: SubmissionPhase;
  submittedAt: string;
  recipient: string;
  reference: string;
  recordedAt: string;
  recordedBy: string;
  /** Whether a note was given: its text sits sealed in the incident's notes. */
  noted?: boolean;
}

/**
 * Reports to the authorities (BR-2): each regime's report built from the incident (what is
 * known, what is still missing, the delay's reasons when late), and the submissions made,
 * appended and never overwritten. The first submission to an authority meets its deadline.
 */
export class IncidentReportService {
  constructor(private readonly deps: IncidentReportServiceDeps) {}

  /** The report a regime asks for now; audited `incident.report.read`. Submission notes only for the DPO. */
  async build(id: string, regime: ReportRegime, context: AuditContext): Promise<IncidentReport> {
    const record = await this.load(id);
    const obligation = this.reportObligation(regime, 'initial');
    const [counts, notifications, submissions] = await Promise.all([this.deps.scope.counts(id), this.deps.notifications.progress(id), this.read(record, regime)]);
    const now = this.deps.clock.now();
    const [deadline] = deadlinesOf(record, { counts, notifications, now, obligations: [obligation], operatorType: this.deps.operatorType });
    const items = reportItems(regime, { record, counts, deadline: deadline!, operatorType: this.deps.operatorType, contact: this.deps.contact });
    const delay = items.find((i) => i.key === 'delay');
    await this.deps.audit.record(context, [audited('incident.report.read', id)]);
    const dpo = context.actor.role === 'dpo';
    return {
      incidentId: id,
      regime,
      obligation: obligation.id,
      basis: obligation.basis,
      deadline: deadline!,
      items,
      complete: items.every((i) => !i.missing),
      ...(typeof delay?.value === 'string' ? { delayReason: delay.value } : {}),
      submissions: dpo ? submissions : submissions.map(({ note: _note, ...rest }) => rest),
      generatedAt: now.toISOString(),
    };
  }

  /**
   * Records a report handed to an authority (appended, put only if absent). The first one for
   * an obligation meets it and the first of all sets `firstReportAt`, in one transaction with
   * the submission, conditional on the incident's version. A CAC `final` is the summary report.
   */
  async submit(id: string, regime: ReportRegime, input: SubmitReportInput, context: AuditContext): Promise<ReportSubmission> {
    const now = this.deps.clock.now();
    if (Date.parse(input.submittedAt) > now.getTime()) throw new ValidationError('A submission cannot be recorded before it is made.', [{ field: 'submittedAt', message: 'must not be in the future' }]);
    const record = await this.load(id);
    const obligation = this.reportObligation(regime, input.phase);
    const existing = await this.read(record, regime);
    const recordedAt = now.toISOString();
    const key = submissionKey(id, regime, recordedAt, existing.length);
    const submission: ReportSubmission = {
      regime,
      phase: input.phase,
      submittedAt: input.submittedAt,
      recipient: input.recipient,
      reference: input.reference,
      ...(input.note !== undefined ? { note: input.note } : {}),
      recordedAt,
      recordedBy: context.actor.id,
    };
    const item: SubmissionItem = {
      ...key,
      kind: 'incident-submission',
      incidentId: id,
      regime,
      phase: input.phase,
      submittedAt: input.submittedAt,
      recipient: input.recipient,
      reference: input.reference,
      recordedAt,
      recordedBy: context.actor.id,
      ...(input.note !== undefined ? { noted: true } : {}),
    };
    const writes: Write[] = [{ op: 'put', table: T, item, condition: { kind: 'absent' }, label: 'submission' }];
    const next = this.afterSubmission(record, obligation, submission, key.sk);
    writes.push(next ? await this.deps.repository.updateWrite(next, record.version) : { op: 'check', table: T, key: incidentKey(id), condition: { kind: 'version', version: record.version }, label: 'incident' });
    try {
      await this.deps.audit.commit(context, [audited('incident.report.submit', id)], writes);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      throw new ConflictError('The incident changed while the submission was recorded; record it again.', 'id');
    }
    return submission;
  }

  /** The submissions recorded, oldest first, of one regime or all. */
  async submissions(id: string, regime?: ReportRegime): Promise<ReportSubmission[]> {
    return this.read(await this.load(id), regime);
  }

  /** The record after a submission: met and first-report times kept at the earliest, the note sealed in its text; undefined when unchanged. */
  private afterSubmission(record: IncidentRecord, obligation: Obligation, submission: ReportSubmission, sk: string): IncidentRecord | undefined {
    const met = record.met[obligation.id];
    const earlier = (than: string | undefined) => than === undefined || Date.parse(submission.submittedAt) < Date.parse(than);
    const meets = earlier(met?.at);
    const first = earlier(record.firstReportAt);
    if (!meets && !first && submission.note === undefined) return undefined;
    return {
      ...record,
      ...(meets ? { met: { ...record.met, [obligation.id]: { at: submission.submittedAt, reference: submission.reference } } } : {}),
      ...(first ? { firstReportAt: submission.submittedAt } : {}),
      ...(submission.note !== undefined ? { text: { ...record.text, notes: { ...record.text.notes, [submissionNote(sk)]: submission.note } } } : {}),
      updatedAt: submission.recordedAt,
      version: record.version + 1,
    };
  }

  /**
   * The authority obligation a regime's report answers: the first report (from awareness),
   * or for a CAC `final` the summary report (from the end of handling).
   */
  private reportObligation(regime: ReportRegime, phase: SubmissionPhase): Obligation {
    const owed = this.deps.obligations.filter((o) => o.regime === regime && o.audience === 'authority');
    const wanted = regime === 'cac' && phase === 'final' ? 'handling-ended' : 'awareness';
    const obligation = owed.find((o) => o.from === wanted) ?? owed[0];
    if (!obligation) throw new NotFoundError(`No obligation to report to an authority under ${regime} is configured.`, 'jurisdiction');
    return obligation;
  }

  private async load(id: string): Promise<IncidentRecord> {
    const record = await this.deps.repository.find(id);
    if (!record) throw new NotFoundError('There is no incident with this id.', 'id');
    return record;
  }

  private async read(record: IncidentRecord, regime?: ReportRegime): Promise<ReportSubmission[]> {
    const prefix = `${SUBMISSION_PREFIX}${regime ? `${regime}#` : ''}`;
    const found: SubmissionItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.query<SubmissionItem>({
        table: T,
        partition: { name: 'pk', value: incidentKey(record.id).pk },
        range: { name: 'sk', from: prefix, to: `${prefix}\uffff` },
        limit: SUBMISSIONS_PAGE,
        consistent: true,
        ...(cursor ? { cursor } : {}),
      });
      found.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return found
      .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt) || a.sk.localeCompare(b.sk))
      .map((s) => {
        const note = s.noted ? record.text.notes[submissionNote(s.sk)] : undefined;
        return {
          regime: s.regime,
          phase: s.phase,
          submittedAt: s.submittedAt,
          recipient: s.recipient,
          reference: s.reference,
          ...(note !== undefined ? { note } : {}),
          recordedAt: s.recordedAt,
          recordedBy: s.recordedBy,
        };
      });
  }
}
