import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey, shardOf } from '../../platform/store/sharded.js';
import {
  counter,
  DISPATCH_STATS_SHARDS,
  DISPATCH_UNFINISHED,
  dispatchKey,
  dispatchStatsKey,
  invitationKey,
  invitationPointerKey,
  lastInvitationKey,
  surveyStatsKey,
  surveyStatsShardOf,
  waveGuardKey,
  withDimensions,
} from './keys.js';
import type { InvitationItem } from './invitation-item.js';
import { skipReasons, type Dispatch, type DispatchProgress, type Invitation, type SkipReason } from './types.js';

export type { InvitationItem };

const T = dataTable.name;

/** A dispatch as stored: its progress lives in its counter shards, not here. */
export type DispatchFields = Omit<Dispatch, 'progress'>;
export interface DispatchItem extends DispatchFields, StoreItem {
  kind: 'survey-dispatch';
}
/** One customer's invitation to one wave, once: whoever writes it first made the invitation. */
export interface WaveGuardItem extends StoreItem {
  dispatchId: string;
  invitationId: string;
}
export interface LastInvitationItem extends StoreItem {
  at: string;
}

/** The counter names of a dispatch's progress on its stats shards. */
export const progressCounter = {
  selected: 'selected',
  queued: 'queued',
  sent: 'sent',
  failed: 'failed',
  skipped: (reason: SkipReason) => `skipped:${reason}`,
};

const DISPATCH_INDEX_ATTRIBUTES = ['gsi2pk', 'gsi2sk'] as const;

/** Storage adapter of dispatches and invitations (keys.ts has the layout). */
export class DispatchRepository {
  /** @param shards shards of the unfinished-dispatch index (INDEX_SHARDS_SURVEYS). */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
  ) {}

  find(id: string): Promise<DispatchItem | undefined> {
    return this.store.get<DispatchItem>(T, dispatchKey(id));
  }

  /** The progress summed over every counter shard (a fixed number of items: no query). */
  async progress(id: string): Promise<DispatchProgress> {
    const keys = Array.from({ length: DISPATCH_STATS_SHARDS }, (_, shard) => dispatchStatsKey(id, shard));
    const items = await this.store.getMany<StoreItem>(T, keys);
    const sum = (name: string) => items.reduce((total, item) => total + (typeof item[name] === 'number' ? (item[name] as number) : 0), 0);
    return {
      selected: sum(progressCounter.selected),
      skipped: Object.fromEntries(skipReasons.map((reason) => [reason, sum(progressCounter.skipped(reason))])) as Record<SkipReason, number>,
      queued: sum(progressCounter.queued),
      sent: sum(progressCounter.sent),
      failed: sum(progressCounter.failed),
    };
  }

  /** The put of a dispatch, conditional on the version it replaces (absent when new); listed as unfinished until done. */
  write(dispatch: DispatchFields, expectedVersion?: number): Write {
    const fields = { ...(dispatch as DispatchFields & StoreItem) };
    for (const name of DISPATCH_INDEX_ATTRIBUTES) delete fields[name];
    delete fields.progress;
    const item: DispatchItem = {
      ...fields,
      ...dispatchKey(dispatch.id),
      kind: 'survey-dispatch',
      ...(dispatch.state !== 'done' ? { gsi2pk: shardKey(DISPATCH_UNFINISHED, dispatch.id, this.shards), gsi2sk: `${dispatch.updatedAt}#${dispatch.id}` } : {}),
    };
    return { op: 'put', table: T, item, condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion }, label: 'dispatch' };
  }

  /** Adds to a dispatch's progress counters on one shard. */
  progressAdd(dispatchId: string, shardOfId: string, counters: Record<string, number>): Write {
    return { op: 'add', table: T, key: dispatchStatsKey(dispatchId, shardOf(shardOfId, DISPATCH_STATS_SHARDS)), counters, label: 'dispatch-stats' };
  }

  /** Unfinished dispatches whose last progress is at or before `cutoff`, oldest first. */
  unfinished(cutoff: string, page: { limit: number; cursor?: string }): Promise<QueryPage<DispatchItem>> {
    return querySharded<DispatchItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: DISPATCH_UNFINISHED, shards: this.shards },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      ...page,
    });
  }

  /** The wave guards of these customers (present ones only), by customer id. */
  async guards(customerIds: string[], surveyId: string, wave: string): Promise<Map<string, WaveGuardItem>> {
    if (!customerIds.length) return new Map();
    const items = await this.store.getMany<WaveGuardItem>(T, customerIds.map((id) => waveGuardKey(id, surveyId, wave)));
    return new Map(items.map((item) => [String(item.pk).slice('CUSTOMER#'.length), item]));
  }

  guard(customerId: string, surveyId: string, wave: string): Promise<WaveGuardItem | undefined> {
    return this.store.get<WaveGuardItem>(T, waveGuardKey(customerId, surveyId, wave));
  }

  /** When each of these customers was last invited to any survey. */
  async lastInvited(customerIds: string[]): Promise<Map<string, string>> {
    if (!customerIds.length) return new Map();
    const items = await this.store.getMany<LastInvitationItem>(T, customerIds.map(lastInvitationKey));
    return new Map(items.map((item) => [String(item.pk).slice('CUSTOMER#'.length), item.at]));
  }

  findInvitation(customerId: string, invitationId: string): Promise<InvitationItem | undefined> {
    return this.store.get<InvitationItem>(T, invitationKey(customerId, invitationId));
  }

  /**
   * A new invitation, all in one transaction: the wave guard (absent: the one condition that
   * keeps a customer to one invitation a wave), the invitation, its pointer, the customer's
   * last-invited mark, the dispatch's progress and the wave's `invited` counters.
   */
  creationWrites(invitation: Invitation): Write[] {
    const { id, customerId, surveyId, wave } = invitation;
    const invited = Object.fromEntries(withDimensions(counter.invited, invitation.snapshot).map((name) => [name, 1]));
    return [
      { op: 'put', table: T, item: { ...waveGuardKey(customerId, surveyId, wave), dispatchId: invitation.dispatchId, invitationId: id }, condition: { kind: 'absent' }, label: 'wave-guard' },
      this.invitationWrite(invitation),
      { op: 'put', table: T, item: { ...invitationPointerKey(id), customerId, surveyId }, condition: { kind: 'absent' }, label: 'invitation-pointer' },
      { op: 'put', table: T, item: { ...lastInvitationKey(customerId), at: invitation.queuedAt, surveyId }, label: 'last-invitation' },
      this.progressAdd(invitation.dispatchId, id, { [progressCounter.selected]: 1, [progressCounter.queued]: 1 }),
      { op: 'add', table: T, key: surveyStatsKey(surveyId, wave, surveyStatsShardOf(id)), counters: invited, label: 'survey-stats' },
    ];
  }

  /** The put of an invitation, conditional on the version it replaces (absent when new). */
  invitationWrite(invitation: Invitation, expectedVersion?: number): Write {
    const item: InvitationItem = { ...invitation, ...invitationKey(invitation.customerId, invitation.id), kind: 'survey-invitation' };
    return { op: 'put', table: T, item, condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion }, label: 'invitation' };
  }
}
