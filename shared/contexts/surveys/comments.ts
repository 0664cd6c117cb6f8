import { createHmac } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { ValidationError } from '../../platform/errors/index.js';
import type { Store } from '../../platform/ports/index.js';
import { querySharded } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import type { InvitationItem } from './invitation-item.js';
import type { LinkKeySource } from './links.js';
import { SURVEY_TEXT } from './keys.js';
import type { SurveyAnswerRecords } from './records.js';
import type { SurveyDefinitions } from './responses.js';

export interface CommentsQuery {
  wave?: string;
  question?: string;
  cursor?: string;
  limit?: number;
}

/** One free-text answer, under the customer's pseudonym (never a name or id); a damaged record says so instead. */
export type CommentRow =
  | { pseudonym: string; wave: string; answeredAt: string; questionId: string; text: string }
  | { pseudonym: string; wave: string; answeredAt: string; integrity: 'failed' };

export const MAX_COMMENTS_PAGE = 100;
const DEFAULT_COMMENTS_PAGE = 50;

/**
 * Free-text answers of a survey (SAT-2), read through their sharded listing (gsi1
 * SURVEY_TEXT, newest first), each opened from its invitation and shown under a pseudonym:
 * stable within the survey (one customer's answers can be read together) and unlinkable
 * across surveys and to the customer's id without the index key.
 */
export class SurveyComments {
  private pseudonymKey?: Promise<Buffer>;

  constructor(
    private readonly deps: { store: Store; keys: LinkKeySource; audit: AuditTrail; records: SurveyAnswerRecords; definitions: SurveyDefinitions; shards: number },
  ) {}

  async list(surveyId: string, query: CommentsQuery, context: AuditContext): Promise<{ items: CommentRow[]; cursor?: string }> {
    const limit = query.limit ?? DEFAULT_COMMENTS_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_COMMENTS_PAGE) throw new ValidationError('The page size is out of range.', [{ field: 'limit', message: `must be 1 to ${MAX_COMMENTS_PAGE}` }]);
    const page = await querySharded<InvitationItem>(this.deps.store, {
      table: dataTable.name,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: SURVEY_TEXT(surveyId), shards: this.deps.shards },
      range: { name: 'gsi1sk' },
      filters: query.wave !== undefined ? [{ name: 'wave', equals: query.wave }] : [],
      descending: true,
      limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const textQuestions = new Map<number, Promise<Set<string>>>();
    const textsOf = (version: number) => {
      let ids = textQuestions.get(version);
      if (!ids) {
        ids = this.deps.definitions.definition(surveyId, version).then((s) => new Set((s?.questions ?? []).filter((q) => q.kind === 'text').map((q) => q.id)));
        textQuestions.set(version, ids);
      }
      return ids;
    };
    const rows: CommentRow[] = [];
    for (const item of page.items) {
      const invitation = await this.deps.records.present(item);
      const base = { pseudonym: await this.pseudonym(surveyId, item.customerId), wave: item.wave, answeredAt: item.answeredAt ?? '' };
      if (invitation.integrity) {
        rows.push({ ...base, integrity: 'failed' });
        continue;
      }
      const texts = await textsOf(item.surveyVersion);
      for (const [questionId, value] of Object.entries(invitation.answers ?? {})) {
        if (!texts.has(questionId) || typeof value !== 'string') continue;
        if (query.question !== undefined && query.question !== questionId) continue;
        rows.push({ ...base, questionId, text: value });
      }
    }
    const customers = [...new Set(page.items.map((item) => item.customerId))];
    if (customers.length) await this.deps.audit.record(context, customers.map((id) => ({ action: 'survey.comments', target: { type: 'customer', id } })));
    return { items: rows, ...(page.cursor ? { cursor: page.cursor } : {}) };
  }

  /** base64url(HMAC(key derived for pseudonyms, `<surveyId>:<customerId>`)), 16 characters. */
  async pseudonym(surveyId: string, customerId: string): Promise<string> {
    this.pseudonymKey ??= this.deps.keys.indexKey().then(
      (key) => createHmac('sha256', key).update('survey-pseudonym').digest(),
      (error: unknown) => {
        this.pseudonymKey = undefined;
        throw error;
      },
    );
    return createHmac('sha256', await this.pseudonymKey).update(`${surveyId}:${customerId}`).digest('base64url').slice(0, 16);
  }
}
