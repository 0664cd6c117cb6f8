import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import { SURVEY_LIST, surveyHeadKey, surveyVersionKey } from './keys.js';
import type { Survey, SurveyStatus } from './types.js';

/** One version's definition as stored; the head's fields (waves, etag, published version) are not repeated here. */
export type SurveyDefinition = Omit<Survey, 'waves' | 'etag' | 'publishedVersion'>;

/**
 * A survey's head: what is listed and locked. `view` is the version shown (the one in force,
 * else the latest draft), with the head's fields; `version` is the store's lock counter,
 * bumped by every write (a wave recorded too), while `view.etag` moves only with the survey.
 */
export interface SurveyHead {
  id: string;
  status: SurveyStatus;
  view: Survey;
  draftVersion?: number;
  latestVersion: number;
  version: number;
}

export interface SurveyHeadItem extends SurveyHead, StoreItem {
  pk: string;
  sk: 'SURVEY';
  kind: 'survey';
  gsi1pk: string;
  gsi1sk: string;
}

interface SurveyVersionItem extends StoreItem {
  kind: 'survey-version';
  definition: SurveyDefinition;
}

interface IdempotencyItem extends StoreItem {
  surveyId: string;
  requestHash: string;
  expiresAt: number;
}

type Page = { limit: number; cursor?: string };
const T = dataTable.name;
const idempotencyKey = (scope: string) => ({ pk: `IDEMPOTENCY#${scope}`, sk: 'IDEMPOTENCY' });

/** Storage adapter of survey definitions (SAT-1): versions, their head, the listing. */
export class SurveyRepository {
  /** @param shards shards of the survey listing (INDEX_SHARDS_SURVEYS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  head(id: string): Promise<SurveyHeadItem | undefined> {
    return this.store.get<SurveyHeadItem>(T, surveyHeadKey(id));
  }

  async version(id: string, version: number): Promise<SurveyDefinition | undefined> {
    return (await this.store.get<SurveyVersionItem>(T, surveyVersionKey(id, version)))?.definition;
  }

  /** The head in its new state; absent when new, else conditional on the lock counter read. */
  headWrite(head: SurveyHead, expectedLock?: number): Write {
    const item: SurveyHeadItem = {
      ...head,
      ...surveyHeadKey(head.id),
      kind: 'survey',
      gsi1pk: shardKey(SURVEY_LIST, head.id, this.shards),
      gsi1sk: `${head.view.createdAt}#${head.id}`,
    };
    return { op: 'put', table: T, item, condition: expectedLock === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedLock }, label: 'survey' };
  }

  /** A version's definition: created once (`absent`), or rewritten while a draft (the head's lock guards it). */
  versionWrite(definition: SurveyDefinition, create: boolean): Write {
    return {
      op: 'put',
      table: T,
      item: { ...surveyVersionKey(definition.id, definition.version), kind: 'survey-version', definition },
      condition: create ? { kind: 'absent' } : { kind: 'exists' },
      label: 'survey-version',
    };
  }

  /** Survey heads, newest first, optionally of one status. */
  list(page: Page, status?: SurveyStatus): Promise<QueryPage<SurveyHeadItem>> {
    return querySharded<SurveyHeadItem>(this.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: SURVEY_LIST, shards: this.shards },
      range: { name: 'gsi1sk' },
      filters: status ? [{ name: 'status', equals: status }] : [],
      descending: true,
      ...page,
    });
  }

  /** The record of a create made with an Idempotency-Key (expired ones are not answered). */
  async findIdempotency(scope: string, now: Date): Promise<IdempotencyItem | undefined> {
    const item = await this.store.get<IdempotencyItem>(T, idempotencyKey(scope));
    // DynamoDB deletes expired items only eventually (and DynamoDB Local never): filter.
    return item && item.expiresAt * 1000 > now.getTime() ? item : undefined;
  }

  idempotencyWrite(scope: string, record: { surveyId: string; requestHash: string; expiresAt: number }): Write {
    return { op: 'put', table: T, item: { ...idempotencyKey(scope), ...record }, condition: { kind: 'absent' }, label: 'idempotency' };
  }
}
