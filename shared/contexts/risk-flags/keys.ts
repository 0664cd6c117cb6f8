import type { RiskReason, RiskStatus } from './types.js';

/**
 * Where risk flags are stored. A flag sits in its customer's partition (`RISK#<id>`), so an
 * erasure deletes it with the rest of the aggregate; its pointer (id -> customer) sits outside
 * it, `RISKFLAG#<id>` / `RISKFLAG`, and the erasure deletes that by the flag's own sort key.
 * Listings (family `riskFlags`, sharded, sort `<raisedAt>#<id>`, oldest first):
 * gsi1 by status, gsi2 by reason and status, gsi3 by assignee and status (assigned ones).
 */
export const RISK_SK_PREFIX = 'RISK#';

export const riskFlagKey = (customerId: string, id: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `${RISK_SK_PREFIX}${id}` });

export const riskFlagPointerKey = (id: string) => ({ pk: `RISKFLAG#${id}`, sk: 'RISKFLAG' as const });

/** The pointer of the risk flag stored under this sort key of a customer's partition, if it is one. */
export function riskFlagPointerOfSortKey(sk: string): { pk: string; sk: 'RISKFLAG' } | undefined {
  return sk.startsWith(RISK_SK_PREFIX) ? riskFlagPointerKey(sk.slice(RISK_SK_PREFIX.length)) : undefined;
}

/** Sharded index partitions (prefixes; `shardKey` adds `#<n>`). */
export const RISK_BY_STATUS = (status: RiskStatus) => `RISK#${status}`;
export const RISK_BY_REASON = (reason: RiskReason, status: RiskStatus) => `RISK#REASON#${reason}#${status}`;
export const RISK_BY_ASSIGNEE = (assignee: string, status: RiskStatus) => `RISK#ASSIGNEE#${assignee}#${status}`;

/** The sort key of a flag in every listing: raised time, then id (unique across shards). */
export const riskFlagSortKey = (raisedAt: string, id: string) => `${raisedAt}#${id}`;
