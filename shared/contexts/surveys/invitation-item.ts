import type { StoreItem } from '../../platform/ports/index.js';
import type { Invitation } from './types.js';

/**
 * An invitation as stored in the customer's partition (`invitationKey`): everything of the
 * invitation in the clear but its answers, which are sealed under the customer's key
 * (records.ts: `sealAnswers`). A submitted invitation with a free-text answer is listed
 * in gsi1 `shardKey(SURVEY_TEXT(surveyId), id, shards)` / `<answeredAt>#<id>` for reading
 * by pseudonym; no other index.
 */
export interface InvitationItem extends Omit<Invitation, 'answers'>, StoreItem {
  pk: string;
  sk: string;
  kind: 'survey-invitation';
  sealedAnswers?: string;
  gsi1pk?: string;
  gsi1sk?: string;
}

/** The pointer of an invitation (`invitationPointerKey`): id -> customer and survey, written with it, once. */
export interface InvitationPointerItem extends StoreItem {
  pk: string;
  sk: 'SURVEYINV';
  customerId: string;
  surveyId: string;
}

/** What a stored invitation holds beyond the invitation: keys, kind, sealed answers, index attributes. */
export const INVITATION_STORAGE_ONLY = ['pk', 'sk', 'kind', 'sealedAnswers', 'gsi1pk', 'gsi1sk'] as const;
