import { shardOf } from '../../platform/store/sharded.js';
import type { ResultDimension, SegmentSnapshot } from './types.js';

/**
 * Where surveys are stored (docs/scaling.md):
 *
 * - a survey's versions: `SURVEY#<id>` / `VERSION#<n, 6 digits>`, its head (etag, published
 *   version, waves) `SURVEY#<id>` / `SURVEY`, listed by gsi1 `SURVEY#<n>` (family `surveys`);
 * - a dispatch: `DISPATCH#<id>` / `DISPATCH`, its counters in `DISPATCH#<id>` / `STATS#<n>`
 *   (`DISPATCH_STATS_SHARDS`: every invitation of a dispatch adds to them), unfinished ones in
 *   gsi2 `DISPATCH#UNFINISHED#<n>` by last progress;
 * - in the customer's partition (erased with it): the invitation `SURVEYINV#<invitationId>`,
 *   the one-per-wave guard `SURVEYWAVE#<surveyId>#<wave>` and the last invitation to any
 *   survey `SURVEY#LAST`; the invitation's pointer (id -> customer) outside it,
 *   `SURVEYINV#<invitationId>` / `SURVEYINV`, deleted by the erasure from the sort key;
 * - answers' aggregates: `STATS#survey#<surveyId>#<wave>#<shard>` / `STATS`, counts only,
 *   kept after erasure.
 */
export const customerPk = (customerId: string) => `CUSTOMER#${customerId}`;
export const INVITATION_SK_PREFIX = 'SURVEYINV#';

export const surveyHeadKey = (id: string) => ({ pk: `SURVEY#${id}`, sk: 'SURVEY' as const });
export const surveyVersionKey = (id: string, version: number) => ({ pk: `SURVEY#${id}`, sk: `VERSION#${String(version).padStart(6, '0')}` });
export const SURVEY_LIST = 'SURVEY';

export const dispatchKey = (id: string) => ({ pk: `DISPATCH#${id}`, sk: 'DISPATCH' as const });
export const DISPATCH_STATS_SHARDS = 8;
export const dispatchStatsKey = (id: string, shard: number) => ({ pk: `DISPATCH#${id}`, sk: `STATS#${shard}` });
export const DISPATCH_UNFINISHED = 'DISPATCH#UNFINISHED';

export const invitationKey = (customerId: string, invitationId: string) => ({ pk: customerPk(customerId), sk: `${INVITATION_SK_PREFIX}${invitationId}` });
export const invitationPointerKey = (invitationId: string) => ({ pk: `SURVEYINV#${invitationId}`, sk: 'SURVEYINV' as const });
export const waveGuardKey = (customerId: string, surveyId: string, wave: string) => ({ pk: customerPk(customerId), sk: `SURVEYWAVE#${surveyId}#${wave}` });
export const lastInvitationKey = (customerId: string) => ({ pk: customerPk(customerId), sk: 'SURVEY#LAST' as const });

/** The pointer of the invitation stored under this sort key of a customer's partition, if it is one. */
export function invitationPointerOfSortKey(sk: string): { pk: string; sk: 'SURVEYINV' } | undefined {
  return sk.startsWith(INVITATION_SK_PREFIX) ? invitationPointerKey(sk.slice(INVITATION_SK_PREFIX.length)) : undefined;
}

/** Free-text answers of a survey, listed for reading by pseudonym: gsi1 of a submitted invitation that has any. */
export const SURVEY_TEXT = (surveyId: string) => `SURVEY#${surveyId}#TEXT`;

/** Shards of one wave's answer aggregates: every answer to the wave adds to one of them. */
export const SURVEY_STATS_SHARDS = 8;
export const surveyStatsKey = (surveyId: string, wave: string, shard: number) => ({ pk: `STATS#survey#${surveyId}#${wave}#${shard}`, sk: 'STATS' as const });
export const surveyStatsShardOf = (invitationId: string) => shardOf(invitationId, SURVEY_STATS_SHARDS);

/**
 * Counter names of the answer aggregates (flat numbers on the stats items):
 * - `invited`, `responses`: invitations sent out (counted when queued) and answers submitted;
 * - `q:<question>=<value>`: answers of a closed question with that score or option;
 * - `q:<question>#n`: customers who answered the question;
 * - `text:<question>`: free-text answers given (their words are never here);
 * each also per dimension value, suffixed `|<dimension>=<value>` (not `text:`).
 */
export const counter = {
  invited: 'invited',
  responses: 'responses',
  value: (question: string, value: string | number) => `q:${question}=${value}`,
  answered: (question: string) => `q:${question}#n`,
  text: (question: string) => `text:${question}`,
  by: (name: string, dimension: ResultDimension, value: string) => `${name}|${dimension}=${value}`,
};

/** A counter name for the whole wave and for each of the snapshot's dimension values. */
export function withDimensions(name: string, snapshot: SegmentSnapshot): string[] {
  return [name, counter.by(name, 'type', snapshot.type), counter.by(name, 'region', snapshot.region), counter.by(name, 'tier', snapshot.tier), counter.by(name, 'stage', snapshot.stage)];
}

const quarterFormat = new Map<string, Intl.DateTimeFormat>();

/** The quarter an instant falls in, in a time zone: the wave label `YYYY-Qn` of scheduled and triggered sends. */
export function quarterOf(at: Date, timeZone = 'Asia/Shanghai'): string {
  let format = quarterFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' });
    quarterFormat.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return `${parts.year}-Q${Math.floor((Number(parts.month) - 1) / 3) + 1}`;
}

/** A wave label: letters, digits and dashes (it is part of keys). */
export const WAVE_PATTERN = /^[A-Za-z0-9-]{1,32}$/;
