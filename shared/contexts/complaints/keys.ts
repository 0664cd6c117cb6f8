/**
 * Where complaints are stored. A complaint sits in its customer's partition, so an erasure
 * deletes it with the rest of the aggregate; its pointer (id -> customer) sits outside it,
 * and the erasure deletes that by the key the complaint's own sort key names.
 */
export const COMPLAINT_SK_PREFIX = 'COMPLAINT#';

export const complaintKey = (customerId: string, id: string) => ({ pk: `CUSTOMER#${customerId}`, sk: `${COMPLAINT_SK_PREFIX}${id}` });

export const complaintPointerKey = (id: string) => ({ pk: `COMPLAINT#${id}`, sk: 'COMPLAINT' as const });

/** The pointer of the complaint stored under this sort key of a customer's partition, if it is one. */
export function pointerOfSortKey(sk: string): { pk: string; sk: 'COMPLAINT' } | undefined {
  return sk.startsWith(COMPLAINT_SK_PREFIX) ? complaintPointerKey(sk.slice(COMPLAINT_SK_PREFIX.length)) : undefined;
}
