import { createHmac } from 'node:crypto';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { Store } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';

/** A stable pseudonym: the same customer always maps to the same reference, which says nothing by itself. */
export async function subjectRefOf(keys: DataKeyRing, customerId: string): Promise<string> {
  return createHmac('sha256', await keys.indexKey()).update(`subject:${customerId}`).digest('base64url').slice(0, 22);
}

/**
 * Whether a certified erasure removed a customer, found by the pseudonymous reference on
 * its certificate. Apart from the erasure service, so that audit verification asks it
 * without building erasure and everything erasure depends on.
 */
export class ErasedSubjects {
  constructor(private readonly deps: { store: Store; keys: DataKeyRing }) {}

  async isErased(customerId: string): Promise<boolean> {
    const page = await this.deps.store.query({
      table: dataTable.name,
      index: 'gsi2',
      partition: { name: 'gsi2pk', value: `SUBJECT#${await subjectRefOf(this.deps.keys, customerId)}` },
      limit: 1,
    });
    return page.items.length > 0;
  }
}
