import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { querySharded, shardKey } from '../../platform/store/sharded.js';
import { dataTable } from '../../platform/store/tables.js';
import { AFFECTED_SHARDS, affectedPartition, counters, INCIDENT_STATS_SHARDS, noticeKey, notifyRunKey, notifyStatsKey, statsShardOf } from './keys.js';
import type { CustomerNotification, NotificationState } from './types.js';

const T = dataTable.name;

/**
 * Notification runs not finished yet, for the resume sweep: gsi2 `INCIDENT#NOTIFYING#<n>`
 * (sort `<updatedAt>#<incidentId>`), kept until every notice is settled. Few run at once.
 */
export const NOTIFY_UNFINISHED = 'INCIDENT#NOTIFYING';
export const NOTIFY_UNFINISHED_SHARDS = 4;
/**
 * Notices not settled (queued or sending) are listed too, per incident: gsi2
 * `INCIDENT#<id>#UNSETTLED#<s>` (s as the notice's shard, sort `<updatedAt>#<customerId>`),
 * so the sweep finds a message that was lost without reading every notice.
 */
export const unsettledPartition = (incidentId: string) => `INCIDENT#${incidentId}#UNSETTLED`;
/** The partition (before its shard) of an incident's notices in one state (gsi3). */
export const statePartition = (incidentId: string, state: NotificationState) => `INCIDENT#${incidentId}#NOTICESTATE#${state}`;

/** The notification run: where the walk over the affected shards stands. */
export interface NotifyRunFields {
  incidentId: string;
  drill: boolean;
  /** `running` until the walk is done and every notice settled. */
  state: 'running' | 'done';
  /** The affected shard being walked, and the last customer id taken from it. */
  shard: number;
  after?: string;
  /** Every affected shard walked: no more notices will be made. */
  walked: boolean;
  pages: number;
  startedAt: string;
  startedBy: string;
  finishedAt?: string;
  updatedAt: string;
  version: number;
}
interface NotifyRunItem extends NotifyRunFields, StoreItem {
  kind: 'incident-notify-run';
}

/** One customer's notice: pseudonymous (no contact, no text); the language picked when it was made. */
export interface NoticeFields extends CustomerNotification {
  incidentId: string;
  language: 'zh-CN' | 'en';
  queuedAt: string;
  sentAt?: string;
  version: number;
}
export interface NoticeItem extends NoticeFields, StoreItem {
  kind: 'incident-notice';
}

/** The counters moved by a notice's change: `queued` holds the notices queued and those being sent. */
export type NoticeCounts = Partial<Record<'queued' | 'sent' | 'failed' | 'undeliverable' | 'skipped', number>>;

const settled = (state: NotificationState) => state !== 'queued' && state !== 'sending';
const condition = (expectedVersion?: number) => (expectedVersion === undefined ? ({ kind: 'absent' } as const) : ({ kind: 'version', version: expectedVersion } as const));

/** Storage adapter of notification runs, notices and their counters (keys.ts has the layout). */
export class NoticeRepository {
  constructor(private readonly store: Store) {}

  findRun(incidentId: string): Promise<NotifyRunItem | undefined> {
    return this.store.get<NotifyRunItem>(T, notifyRunKey(incidentId));
  }

  /** The put of the run, conditional on the version it replaces (absent when new: one run an incident). */
  runWrite(run: NotifyRunFields, expectedVersion?: number): Write {
    const { gsi2pk: _p, gsi2sk: _s, ...fields } = run as NotifyRunFields & StoreItem;
    const item: NotifyRunItem = {
      ...(fields as NotifyRunFields),
      ...notifyRunKey(run.incidentId),
      kind: 'incident-notify-run',
      ...(run.state === 'running' ? { gsi2pk: shardKey(NOTIFY_UNFINISHED, run.incidentId, NOTIFY_UNFINISHED_SHARDS), gsi2sk: `${run.updatedAt}#${run.incidentId}` } : {}),
    };
    return { op: 'put', table: T, item, condition: condition(expectedVersion), label: 'notify-run' };
  }

  /** Unfinished runs whose last change is at or before `cutoff`, oldest first. */
  unfinished(cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<NotifyRunItem>> {
    return querySharded<NotifyRunItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: NOTIFY_UNFINISHED, shards: NOTIFY_UNFINISHED_SHARDS },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }

  /**
   * Up to `limit` affected customer ids of one shard after `after` (exclusive), read straight
   * from the affected partition (keys.ts): `more` when the shard may hold further ones.
   */
  async affectedAfter(incidentId: string, shard: number, after: string | undefined, limit: number): Promise<{ ids: string[]; more: boolean }> {
    const page = await this.store.query<StoreItem>({
      table: T,
      partition: { name: 'pk', value: affectedPartition(incidentId, shard) },
      ...(after !== undefined ? { range: { name: 'sk', from: after } } : {}),
      limit: after !== undefined ? limit + 1 : limit,
      consistent: true,
    });
    const ids = page.items.map((item) => String(item.sk)).filter((id) => id !== after);
    return { ids: ids.slice(0, limit), more: page.cursor !== undefined || ids.length > limit };
  }

  find(incidentId: string, customerId: string): Promise<NoticeItem | undefined> {
    return this.store.get<NoticeItem>(T, noticeKey(incidentId, customerId));
  }

  /** The customers among these who have a notice already. */
  async existing(incidentId: string, customerIds: string[]): Promise<Map<string, NoticeItem>> {
    if (!customerIds.length) return new Map();
    const items = await this.store.getMany<NoticeItem>(T, customerIds.map((id) => noticeKey(incidentId, id)));
    return new Map(items.map((item) => [item.customerId, item]));
  }

  /** The put of a notice, conditional on the version it replaces (absent when new: one notice a customer and incident). */
  noticeWrite(notice: NoticeFields, expectedVersion?: number): Write {
    const { gsi2pk: _p, gsi2sk: _s, gsi3pk: _q, gsi3sk: _t, ...fields } = notice as NoticeFields & StoreItem;
    const item: NoticeItem = {
      ...(fields as NoticeFields),
      ...noticeKey(notice.incidentId, notice.customerId),
      kind: 'incident-notice',
      // Listed by state too: the failures to follow up are read without the million sent beside them.
      gsi3pk: shardKey(statePartition(notice.incidentId, notice.state), notice.customerId, AFFECTED_SHARDS),
      gsi3sk: notice.customerId,
      ...(!settled(notice.state)
        ? { gsi2pk: shardKey(unsettledPartition(notice.incidentId), notice.customerId, AFFECTED_SHARDS), gsi2sk: `${notice.updatedAt}#${notice.customerId}` }
        : {}),
    };
    return { op: 'put', table: T, item, condition: condition(expectedVersion), label: 'notice' };
  }

  /** Adds to the notification counters on one shard, spread by what the change is about. */
  countsAdd(incidentId: string, discriminator: string, add: NoticeCounts): Write {
    return { op: 'add', table: T, key: notifyStatsKey(incidentId, statsShardOf(discriminator)), counters: add as Record<string, number>, label: 'notify-stats' };
  }

  /** The counters summed over every shard; `consistent` reads each shard strongly (the finish check). */
  async counts(incidentId: string, consistent = false): Promise<Required<NoticeCounts>> {
    const keys = Array.from({ length: INCIDENT_STATS_SHARDS }, (_, shard) => notifyStatsKey(incidentId, shard));
    const items = consistent
      ? (await Promise.all(keys.map((key) => this.store.get<StoreItem>(T, key)))).filter((item): item is StoreItem => item !== undefined)
      : await this.store.getMany<StoreItem>(T, keys);
    const sum = (name: string) => items.reduce((total, item) => total + (typeof item[name] === 'number' ? (item[name] as number) : 0), 0);
    return {
      queued: sum(counters.queued),
      sent: sum(counters.sent),
      failed: sum(counters.failed),
      undeliverable: sum(counters.undeliverable),
      skipped: sum(counters.skipped),
    };
  }

  /** An incident's notices, every shard merged in customer-id order, optionally of one state. */
  list(incidentId: string, state: NotificationState | undefined, page: { limit: number; cursor?: string }): Promise<QueryPage<NoticeItem>> {
    const where = state
      ? { index: 'gsi3', partition: { name: 'gsi3pk', prefix: statePartition(incidentId, state), shards: AFFECTED_SHARDS }, range: { name: 'gsi3sk' } }
      : { partition: { name: 'pk', prefix: `INCIDENT#${incidentId}#NOTICE`, shards: AFFECTED_SHARDS }, range: { name: 'sk' } };
    return querySharded<NoticeItem>(this.store, { table: T, ...where, limit: page.limit, ...(page.cursor ? { cursor: page.cursor } : {}) });
  }

  /** Unsettled notices of an incident unchanged since `cutoff`, oldest first. */
  unsettled(incidentId: string, cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<NoticeItem>> {
    return querySharded<NoticeItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: unsettledPartition(incidentId), shards: AFFECTED_SHARDS },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }
}

/** What a notice shows: pseudonymous, no language or version. */
export function presentNotice(item: NoticeFields): CustomerNotification {
  return {
    customerId: item.customerId,
    ...(item.channel ? { channel: item.channel } : {}),
    state: item.state,
    ...(item.failure ? { failure: item.failure } : {}),
    attempts: item.attempts,
    updatedAt: item.updatedAt,
  };
}
