/**
 * Where the detector keeps its state (data table). Subjects are actor ids, pseudonymous
 * source ids or customer ids: never contact details.
 * - counters, one item per subject and hour: `ACCESS#<counter>#<subject>` / `<hour>`, attribute
 *   `count` (and `firstMs`, the first entry counted, written once by the batch that created it);
 * - distinct customers a customer token touched: `ACCESSSEEN#<actor>#<hour>` / `<customerId>`;
 * - baselines (EWMA of completed active hours): `ACCESSBASE#actor#<id>` or `ACCESSBASE#role#<role>` / `BASELINE`;
 * - findings: `FINDING#<id>` / `FINDING`, listed through gsi1 (family `findings`, sharded,
 *   `FINDING#<n>`, sort `<hour>#<id>`, newest first).
 * Counters and markers expire (`expiresAt`) once no baseline or finding needs them.
 */
export type CounterKind = 'reads' | 'offhours' | 'exports' | 'codes-contact' | 'codes-source' | 'token-customers';


export const counterKey = (kind: CounterKind, subject: string, hour: string) => ({ pk: `ACCESS#${kind}#${subject}`, sk: hour });

export const seenKey = (actor: string, hour: string, customerId: string) => ({ pk: `ACCESSSEEN#${actor}#${hour}`, sk: customerId });

export type BaselineScope = 'actor' | 'role';
export const baselineKey = (scope: BaselineScope, id: string) => ({ pk: `ACCESSBASE#${scope}#${id}`, sk: 'BASELINE' as const });

export const findingKey = (id: string) => ({ pk: `FINDING#${id}`, sk: 'FINDING' as const });

/** The sharded listing partition of findings (`shardKey` adds `#<n>`). */
export const FINDINGS_PARTITION = 'FINDING';

export const findingSortKey = (hour: string, id: string) => `${hour}#${id}`;

/** The UTC hour of an ISO time, `YYYY-MM-DDTHH`. */
export const hourOf = (iso: string) => iso.slice(0, 13);

/** The start of an hour as an ISO time. */
export const hourStart = (hour: string) => new Date(`${hour}:00:00.000Z`);
