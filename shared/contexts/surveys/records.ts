import type { AuditContext } from '../../platform/audit/index.js';
import { openJson, sealJson, type DataKeyRing } from '../../platform/crypto/index.js';
import type { IntegrityFailure, IntegrityFailureHandler, Store } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { INVITATION_STORAGE_ONLY, type InvitationItem } from './invitation-item.js';
import { customerPk, INVITATION_SK_PREFIX } from './keys.js';
import type { Answers, Invitation, InvitationState } from './types.js';

/** Answers are sealed whole, bound to their customer and invitation: moved to another invitation they do not open. */
const answersContext = (item: Pick<Invitation, 'customerId' | 'id'>) => ({ customerId: item.customerId, field: `survey.${item.id}.answers` });

export function sealAnswers(key: Buffer, invitation: Pick<Invitation, 'customerId' | 'id'>, answers: Answers): string {
  return sealJson(key, answers, answersContext(invitation))!;
}

/** The answers of a stored invitation (none saved: undefined); throws SealError when they do not open. */
export function openAnswers(key: Buffer, item: InvitationItem): Answers | undefined {
  return item.sealedAnswers === undefined ? undefined : openJson<Answers>(key, item.sealedAnswers, answersContext(item));
}

/** The invitation fields of a stored one, without keys, seal or index attributes. */
export function invitationFields(item: InvitationItem): Omit<Invitation, 'answers'> {
  const fields = { ...(item as Record<string, unknown>) };
  for (const name of INVITATION_STORAGE_ONLY) delete fields[name];
  return fields as unknown as Omit<Invitation, 'answers'>;
}

/** An invitation opened for reading; `integrity` when its answers failed their check (shown without them). */
export type PresentedInvitation = Invitation & { integrity?: 'failed' };

/** One invitation in the customer's access export and self-service view. */
export interface CustomerSurveyAnswer {
  invitationId: string;
  surveyId: string;
  surveyVersion: number;
  wave: string;
  state: InvitationState;
  sentAt?: string;
  expiresAt: string;
  answeredAt?: string;
  answers?: Answers;
  integrity?: 'failed';
}

// The failure kinds name the record families of the platform; survey answers are reported under
// their own name, which the handler's metric dimension takes as it comes.
const surveyFailure = (customerId: string): IntegrityFailure => ({ record: 'survey', customerId });

/**
 * Invitations as stored, opened for reading: what the answer service shows and what the
 * access export reads (DSR-1), without the definitions, links or counters the service needs.
 */
export class SurveyAnswerRecords {
  constructor(private readonly deps: { store: Store; keys: DataKeyRing; onIntegrityFailure: IntegrityFailureHandler }) {}

  /** Opens a stored invitation; one whose answers fail their check is shown without them, marked, and reported. */
  async present(item: InvitationItem): Promise<PresentedInvitation> {
    const fields = invitationFields(item);
    try {
      const answers = openAnswers(await this.deps.keys.get(item.customerId), item);
      return { ...fields, ...(answers ? { answers } : {}) };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'SealError') throw error;
      this.deps.onIntegrityFailure(surveyFailure(item.customerId));
      return { ...fields, integrity: 'failed' };
    }
  }

  /** One page of a customer's stored invitations, from their own partition. */
  async page(customerId: string, page: { limit: number; cursor?: string }) {
    return this.deps.store.query<InvitationItem>({
      table: dataTable.name,
      partition: { name: 'pk', value: customerPk(customerId) },
      range: { name: 'sk', from: INVITATION_SK_PREFIX, to: `${INVITATION_SK_PREFIX}~` },
      consistent: true,
      ...page,
    });
  }

  /** Every stored invitation of a customer, up to `max` (a customer gets a few a year). */
  async itemsOfCustomer(customerId: string, max = 10_000): Promise<InvitationItem[]> {
    const all: InvitationItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.page(customerId, { limit: 100, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      cursor = page.cursor;
    } while (cursor && all.length < max);
    return all.slice(0, max);
  }

  /** Every invitation of a customer with its answers opened, up to `max`, for the access export; the export audits its own read. */
  async allOfCustomer(customerId: string, _context: AuditContext, max = 10_000): Promise<CustomerSurveyAnswer[]> {
    const items = await this.itemsOfCustomer(customerId, max);
    return Promise.all(items.map(async (item) => customerSurveyAnswer(await this.present(item))));
  }
}

export function customerSurveyAnswer(invitation: PresentedInvitation): CustomerSurveyAnswer {
  const { id, surveyId, surveyVersion, wave, state, sentAt, expiresAt, answeredAt, answers, integrity } = invitation;
  return {
    invitationId: id,
    surveyId,
    surveyVersion,
    wave,
    state,
    ...(sentAt ? { sentAt } : {}),
    expiresAt,
    ...(answeredAt ? { answeredAt } : {}),
    ...(answers ? { answers } : {}),
    ...(integrity ? { integrity } : {}),
  };
}
