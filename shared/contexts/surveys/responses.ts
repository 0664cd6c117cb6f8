import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import { ConflictError, ForbiddenError, GoneError, KehuError, NotFoundError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type Store, type Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { shardKey } from '../../platform/store/sharded.js';
import type { RiskFlagWriter } from '../risk-flags/index.js';
import { DEFAULT_TEXT_LENGTH, validateAnswers } from './answers.js';
import type { InvitationItem, InvitationPointerItem } from './invitation-item.js';
import { invitationKey, invitationPointerKey, SURVEY_TEXT } from './keys.js';
import type { SurveyLinks } from './links.js';
import { customerSurveyAnswer, sealAnswers, type CustomerSurveyAnswer, type PresentedInvitation, type SurveyAnswerRecords } from './records.js';
import { answerCounterWrite } from './stats.js';
import { SCALES, type Answers, type Invitation, type InvitationState, type Question, type Survey, type SurveyLanguage } from './types.js';

/** The survey definitions answers are checked against (SurveyService provides them). */
export interface SurveyDefinitions {
  /** A given version, or the version in force without one; undefined when there is none. */
  definition(id: string, version?: number): Promise<Survey | undefined>;
}

/** Who answers: the holder of an answer link, or a signed-in customer (their latest invitation to the survey). */
export type SurveyCredential = { token: string } | { customerId: string };

/** A question as the customer is shown it, in the invitation's language. */
export interface FormQuestion {
  id: string;
  kind: Question['kind'];
  topic: Question['topic'];
  text: string;
  required: boolean;
  options?: Array<{ id: string; text: string }>;
  maxLength?: number;
  scale?: { min: number; max: number };
}

export interface SurveyForm {
  surveyId: string;
  invitationId: string;
  surveyVersion: number;
  wave: string;
  language: SurveyLanguage;
  title: string;
  intro?: string;
  questions: FormQuestion[];
  state: InvitationState;
  expiresAt: string;
  answers?: Answers;
  savedAt?: string;
  answeredAt?: string;
}

/** What an answer request leaves: saved (`sent`, partial) or submitted (`answered`). */
export interface SurveyResponse {
  invitationId: string;
  state: 'sent' | 'answered';
  answers: Answers;
  savedAt?: string;
  answeredAt?: string;
}

export type CustomerSurvey = CustomerSurveyAnswer & { title?: string };

export interface SurveyResponseDeps {
  store: Store;
  keys: DataKeyRing;
  clock: Clock;
  audit: AuditTrail;
  definitions: SurveyDefinitions;
  risk: RiskFlagWriter;
  links: SurveyLinks;
  records: SurveyAnswerRecords;
  /** Shards of the surveys index family (the free-text listing). */
  shards: number;
}

const T = dataTable.name;
const audited = (action: string, customerId: string) => ({ action, target: { type: 'customer', id: customerId } });
/** One answer for a link that is not one: forged, unknown and malformed alike (no oracle of which invitations exist). */
const badToken = () => new KehuError('unauthenticated', 'The answer link is not valid.', 'token');

/**
 * Answers to survey invitations (SAT-2, issue step 3): saved partially until submitted, then
 * once, sealed under the customer's key; a submission is one transaction with its
 * aggregates, its audit entry and the risk flags a low score raises.
 */
export class SurveyResponseService {
  constructor(private readonly deps: SurveyResponseDeps) {}

  /** The questions of the invitation's version in its language, with what was saved. */
  async form(surveyId: string, credential: SurveyCredential, context: AuditContext): Promise<SurveyForm> {
    const { invitation, audit } = await this.invitationOf(surveyId, credential, context);
    if ('token' in credential && invitation.state === 'answered') throw new ConflictError('This survey was already answered.', 'token');
    const survey = await this.versionOf(invitation);
    await this.deps.audit.record(audit, [audited('survey.read', invitation.customerId)]);
    const lang = invitation.language;
    return {
      surveyId,
      invitationId: invitation.id,
      surveyVersion: invitation.surveyVersion,
      wave: invitation.wave,
      language: lang,
      title: survey.title[lang],
      ...(survey.intro ? { intro: survey.intro[lang] } : {}),
      questions: survey.questions.map((q) => formQuestion(q, lang)),
      state: invitation.state,
      expiresAt: invitation.expiresAt,
      ...(invitation.answers ? { answers: invitation.answers } : {}),
      ...(invitation.savedAt ? { savedAt: invitation.savedAt } : {}),
      ...(invitation.answeredAt ? { answeredAt: invitation.answeredAt } : {}),
    };
  }

  /** Saves answers (merged with those saved before) or, with `submit`, submits them: once. */
  async respond(surveyId: string, credential: SurveyCredential, input: { answers: Record<string, unknown>; submit?: boolean }, context: AuditContext): Promise<SurveyResponse> {
    const { invitation, item, audit } = await this.invitationOf(surveyId, credential, context);
    if (invitation.state === 'answered') throw new ConflictError('This survey was already answered.', 'token');
    const survey = await this.versionOf(invitation);
    // Only a sent invitation takes answers: a queued or failed one has no link out there yet.
    if (invitation.state !== 'sent') throw new ConflictError('This invitation was not sent.', 'token');
    if (invitation.integrity) throw new ConflictError('The saved answers of this invitation cannot be read; nothing was changed.', 'token');
    const given = validateAnswers(survey.questions, input.answers, { submit: false });
    const submit = input.submit === true;
    const answers = submit ? validateAnswers(survey.questions, { ...invitation.answers, ...given }, { submit: true }) : { ...invitation.answers, ...given };
    const at = this.deps.clock.now().toISOString();
    const key = await this.deps.keys.get(invitation.customerId);
    const hasText = survey.questions.some((q) => q.kind === 'text' && answers[q.id] !== undefined);
    const next: InvitationItem = {
      ...stripIndex(item),
      sealedAnswers: sealAnswers(key, invitation, answers),
      savedAt: at,
      version: item.version + 1,
      ...(submit ? { state: 'answered' as const, answeredAt: at } : {}),
      ...(submit && hasText ? { gsi1pk: shardKey(SURVEY_TEXT(surveyId), invitation.id, this.deps.shards), gsi1sk: `${at}#${invitation.id}` } : {}),
    };
    const writes: Write[] = [{ op: 'put', table: T, item: next, condition: { kind: 'version', version: item.version }, label: 'survey-invitation' }];
    if (submit) writes.push(answerCounterWrite(invitation, survey.questions, answers), ...this.riskWrites(survey, invitation, answers, at));
    try {
      await this.deps.audit.commit(audit, [audited(submit ? 'survey.answer' : 'survey.save', invitation.customerId)], writes);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      throw new ConflictError('The invitation changed meanwhile (answered from elsewhere?); read the form again.', 'token');
    }
    return { invitationId: invitation.id, state: submit ? 'answered' : 'sent', answers, savedAt: at, ...(submit ? { answeredAt: at } : {}) };
  }

  /** The customer's own invitations, newest first, with their state and answers (self-service). */
  async ofCustomer(customerId: string, context: AuditContext): Promise<CustomerSurvey[]> {
    const items = await this.deps.records.itemsOfCustomer(customerId);
    if (!items.length) return [];
    await this.deps.audit.record(context, [audited('survey.list', customerId)]);
    const rows = await Promise.all(
      items.map(async (item) => {
        const invitation = await this.deps.records.present(item);
        const survey = await this.deps.definitions.definition(invitation.surveyId, invitation.surveyVersion);
        return { ...customerSurveyAnswer(invitation), ...(survey ? { title: survey.title[invitation.language] } : {}), queuedAt: invitation.queuedAt };
      }),
    );
    return rows.sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0)).map(({ queuedAt: _q, ...row }) => row);
  }

  /** The first NPS and the first CSAT answer at or below the survey's bounds each raise a flag. */
  private riskWrites(survey: Survey, invitation: Invitation, answers: Answers, at: string): Write[] {
    const writes: Write[] = [];
    const rules = [
      { kind: 'nps', reason: 'low-nps', atMost: survey.risk.npsAtMost },
      { kind: 'csat', reason: 'low-csat', atMost: survey.risk.csatAtMost },
    ] as const;
    for (const rule of rules) {
      const question = survey.questions.find((q) => q.kind === rule.kind && typeof answers[q.id] === 'number');
      const score = question ? (answers[question.id] as number) : undefined;
      if (question === undefined || score === undefined || score > rule.atMost) continue;
      writes.push(
        ...this.deps.risk.raiseWrites({
          customerId: invitation.customerId,
          reason: rule.reason,
          source: { kind: 'survey', surveyId: invitation.surveyId, wave: invitation.wave, invitationId: invitation.id, questionId: question.id, score },
          ...(survey.risk.assignee ? { assignee: survey.risk.assignee } : {}),
          at,
        }),
      );
    }
    return writes;
  }

  /** The survey version an invitation was sent with; gone once the survey is archived. */
  private async versionOf(invitation: Invitation): Promise<Survey> {
    const [version, current] = await Promise.all([
      this.deps.definitions.definition(invitation.surveyId, invitation.surveyVersion),
      this.deps.definitions.definition(invitation.surveyId),
    ]);
    if (!version || version.status === 'archived' || current?.status === 'archived') throw new GoneError('This survey is closed.', 'id');
    return version;
  }

  /**
   * The invitation a credential answers for, its stored item, and the context its changes are
   * audited under (the customer themself). Link problems in order: not a valid link (401),
   * another survey's (403), expired (410).
   */
  private async invitationOf(surveyId: string, credential: SurveyCredential, context: AuditContext): Promise<{ invitation: PresentedInvitation; item: InvitationItem; audit: AuditContext }> {
    let item: InvitationItem | undefined;
    if ('token' in credential) {
      const claims = this.deps.links.parse(credential.token);
      const pointer = claims && (await this.deps.store.get<InvitationPointerItem>(T, invitationPointerKey(claims.invitationId)));
      if (!claims || !pointer || !(await this.deps.links.verify(credential.token, pointer.surveyId))) throw badToken();
      if (pointer.surveyId !== surveyId) throw new ForbiddenError('This answer link is for another survey.', 'token');
      item = await this.deps.store.get<InvitationItem>(T, invitationKey(pointer.customerId, claims.invitationId));
      if (!item) throw badToken();
    } else {
      const mine = (await this.deps.records.itemsOfCustomer(credential.customerId)).filter((i) => i.surveyId === surveyId);
      item = mine.sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : a.queuedAt > b.queuedAt ? -1 : 0))[0];
      if (!item) throw new NotFoundError('You have no invitation to this survey.', 'id');
    }
    const field = 'token' in credential ? 'token' : 'id';
    if (item.state !== 'answered' && Date.parse(item.expiresAt) <= this.deps.clock.now().getTime()) throw new GoneError('This answer link has expired.', field);
    const audit: AuditContext = { actor: { id: item.customerId, role: 'customer', ...(context.actor.requestId ? { requestId: context.actor.requestId } : {}) }, purpose: context.purpose };
    return { invitation: await this.deps.records.present(item), item, audit };
  }
}

/** A question in one language; scored kinds carry their scale. */
function formQuestion(q: Question, lang: SurveyLanguage): FormQuestion {
  const scale = q.kind === 'nps' || q.kind === 'csat' || q.kind === 'ces' ? SCALES[q.kind] : undefined;
  return {
    id: q.id,
    kind: q.kind,
    topic: q.topic,
    text: q.text[lang],
    required: q.required,
    ...(q.options ? { options: q.options.map((o) => ({ id: o.id, text: o.text[lang] })) } : {}),
    ...(q.kind === 'text' ? { maxLength: q.maxLength ?? DEFAULT_TEXT_LENGTH } : {}),
    ...(scale ? { scale: { min: scale.min, max: scale.max } } : {}),
  };
}

/** The stored item without its index attributes (set again by the write that needs them). */
function stripIndex(item: InvitationItem): InvitationItem {
  const { gsi1pk: _pk, gsi1sk: _sk, ...rest } = item;
  return rest as InvitationItem;
}
