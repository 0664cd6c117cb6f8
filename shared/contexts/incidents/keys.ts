import { shardOf } from '../../platform/store/sharded.js';

/**
 * Where incidents are stored (data table). An incident's own partition holds the record,
 * its scope runs, submissions and counters; the affected customers and their notifications
 * sit in sharded partitions of their own (an incident may reach millions of people, more
 * than one partition key takes in writes per second).
 *
 * - `INCIDENT#<id>` / `INCIDENT`: the record (free text sealed under key `incident:<id>`);
 *   gsi1 `INCIDENT#<n>` (family `incidents`, sort `<createdAt>#<id>`): the listing;
 *   gsi2 `INCIDENT#UNCLOSED#<n>` (sort `<awareAt>#<id>`) while not closed: the deadline monitor's.
 * - `INCIDENT#<id>` / `SCOPE#<runId>`: a scope run (state, cursor, version).
 * - `INCIDENT#<id>` / `SCOPESTATS#<0-7>`: affected counters (`affected`, `region:<code>`,
 *   `jurisdiction:<j>`, `category:<c>`), added to per page.
 * - `INCIDENT#<id>` / `NOTIFY`: the notification run (shard and cursor reached, version).
 * - `INCIDENT#<id>` / `NOTIFYSTATS#<0-7>`: notification counters (`queued`, `sent`, `failed`, `undeliverable`, `skipped`).
 * - `INCIDENT#<id>` / `SUBMISSION#<regime>#<recordedAt>#<n>`: a report submission, put only if absent.
 * - `INCIDENT#<id>#AFFECTED#<s>` / `<customerId>`: one affected customer (region, jurisdiction), s of AFFECTED_SHARDS.
 * - `INCIDENT#<id>#NOTICE#<s>` / `<customerId>`: that customer's notification (state machine, version);
 *   gsi2 `INCIDENT#<id>#UNSETTLED#<s>` (sort `<updatedAt>#<customerId>`) while queued or sending;
 *   gsi3 `INCIDENT#<id>#NOTICESTATE#<state>#<s>` (sort `<customerId>`): the notices of one state, the failures to follow up.
 * Runs in progress, for the schedule that hands stalled ones on (gsi2, 4 shards each, fixed):
 * `INCIDENT#SCOPING#<n>` (sort `<updatedAt>#<incidentId>#<runId>`, scope-repository.ts) and
 * `INCIDENT#NOTIFYING#<n>` (sort `<updatedAt>#<incidentId>`, notice-repository.ts).
 */
export const INCIDENT_STATS_SHARDS = 8;
/** Shards of an incident's affected set and of its notifications (fixed: the notification run walks them in order). */
export const AFFECTED_SHARDS = 16;

export const INCIDENT_LIST = 'INCIDENT';
export const INCIDENT_UNCLOSED = 'INCIDENT#UNCLOSED';

/** The key ring's owner id of an incident's data key. */
export const incidentKeyId = (id: string) => `incident:${id}`;

export const incidentKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'INCIDENT' as const });
export const scopeRunKey = (id: string, runId: string) => ({ pk: `INCIDENT#${id}`, sk: `SCOPE#${runId}` });
export const SCOPE_RUN_PREFIX = 'SCOPE#';
export const scopeStatsKey = (id: string, shard: number) => ({ pk: `INCIDENT#${id}`, sk: `SCOPESTATS#${shard}` });
export const notifyRunKey = (id: string) => ({ pk: `INCIDENT#${id}`, sk: 'NOTIFY' as const });
export const notifyStatsKey = (id: string, shard: number) => ({ pk: `INCIDENT#${id}`, sk: `NOTIFYSTATS#${shard}` });
export const SUBMISSION_PREFIX = 'SUBMISSION#';
export const submissionKey = (id: string, regime: string, recordedAt: string, n: number) => ({ pk: `INCIDENT#${id}`, sk: `${SUBMISSION_PREFIX}${regime}#${recordedAt}#${n}` });

export const affectedShardOf = (customerId: string) => shardOf(customerId, AFFECTED_SHARDS);
export const affectedPartition = (id: string, shard: number) => `INCIDENT#${id}#AFFECTED#${shard}`;
export const affectedKey = (id: string, customerId: string) => ({ pk: affectedPartition(id, affectedShardOf(customerId)), sk: customerId });
export const noticePartition = (id: string, shard: number) => `INCIDENT#${id}#NOTICE#${shard}`;
export const noticeKey = (id: string, customerId: string) => ({ pk: noticePartition(id, affectedShardOf(customerId)), sk: customerId });

/** Counter shard a write goes to: spread by what the write is about (a page id, a customer id). */
export const statsShardOf = (discriminator: string) => shardOf(discriminator, INCIDENT_STATS_SHARDS);

/** Counter names. */
export const counters = {
  affected: 'affected',
  region: (code: string) => `region:${code}`,
  jurisdiction: (j: string) => `jurisdiction:${j}`,
  category: (c: string) => `category:${c}`,
  queued: 'queued',
  sent: 'sent',
  failed: 'failed',
  undeliverable: 'undeliverable',
  skipped: 'skipped',
};
