import { openJson, SealError, type DataKeyRing } from '../../platform/crypto/index.js';
import { IntegrityError } from '../../platform/errors/index.js';
import type { IntegrityFailure, IntegrityFailureHandler } from '../../platform/ports/index.js';
import { fieldCategories, type CustomerView } from './access-policy.js';
import { mask, openHistory } from './fields.js';
import type { CustomerItem, StoredHistoryEntry } from './repository.js';
import { sealedFields, type CustomerRecord, type DamagedHistoryEntry, type DamagedRecord, type HistoryEntry, type SealedField } from './types.js';

/**
 * Stored customer data as readers see it: opens only what a view shows, masks as it says,
 * and turns a seal that does not open (altered ciphertext, a missing or refused key) into
 * a reported integrity failure: fatal for one record, marked within a list.
 */
export class CustomerPresenter {
  constructor(
    private readonly keys: DataKeyRing,
    private readonly onIntegrityFailure: IntegrityFailureHandler,
  ) {}

  /** One record; throws IntegrityError when it is damaged. */
  record(item: CustomerItem, view: CustomerView): Promise<CustomerRecord> {
    return this.opened('customer', item.id, () => this.open(item, view));
  }

  /** Records for one use, all or none: a damaged one fails the call. */
  records(items: CustomerItem[], view: CustomerView): Promise<CustomerRecord[]> {
    return Promise.all(items.map((item) => this.record(item, view)));
  }

  /** A page of a list: a damaged record is answered as `{ id, integrity: 'failed' }`, the rest as they are. */
  page(items: CustomerItem[], view: CustomerView): Promise<Array<CustomerRecord | DamagedRecord>> {
    return Promise.all(
      items.map((item) =>
        this.record(item, view).catch((error: unknown) => {
          if (error instanceof IntegrityError) return { id: item.id, integrity: 'failed' as const };
          throw error;
        }),
      ),
    );
  }

  /** History entries with their reasons opened; a damaged entry is listed without its reason. */
  async history(customerId: string, entries: StoredHistoryEntry[]): Promise<Array<HistoryEntry | DamagedHistoryEntry>> {
    const sealed = entries.some((entry) => entry.sealedReason !== undefined);
    const key = sealed ? await this.keys.get(customerId).catch((error: unknown) => (error instanceof SealError ? undefined : Promise.reject(error))) : undefined;
    return entries.map((entry) => {
      try {
        return openHistory(key, customerId, entry);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        this.onIntegrityFailure({ record: 'history', customerId });
        const { sealedReason: _sealed, reason: _reason, ...shown } = entry;
        return { ...shown, integrity: 'failed' as const };
      }
    });
  }

  /** Runs a read that opens sealed data; a seal that does not open is reported and becomes an IntegrityError. */
  async opened<T>(record: IntegrityFailure['record'], customerId: string, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      this.onIntegrityFailure({ record, customerId });
      throw new IntegrityError();
    }
  }

  /** Decrypts only the categories the view shows, then masks as it says. */
  private async open(item: CustomerItem, view: CustomerView): Promise<CustomerRecord> {
    const record: CustomerRecord = {
      id: item.id,
      number: item.number,
      type: item.type,
      region: item.region,
      tier: item.tier,
      tags: item.tags,
      stage: item.stage,
      ...(item.consumption ? { consumption: item.consumption } : {}),
      ...(item.language ? { language: item.language } : {}),
      ...(item.restricted ? { restricted: true } : {}),
      ...(item.objections?.length ? { objections: item.objections } : {}),
      ...(item.legalHolds?.length ? { legalHolds: item.legalHolds } : {}),
      collection: item.collection,
      version: item.version,
      createdAt: item.createdAt,
      updatedAt: item.updatedAt,
      review: { ...(item.lastVerifiedAt ? { lastVerifiedAt: item.lastVerifiedAt } : {}), dueAt: item.reviewDueAt },
    };
    const shown = sealedFields.filter((field) => view[fieldCategories[field]] !== 'hidden' && item.sealed[field] !== undefined);
    if (!shown.length) return record;
    const key = await this.keys.get(item.id);
    const masked = (field: SealedField) => view[fieldCategories[field]] === 'masked';
    for (const field of shown) {
      const value = openJson<unknown>(key, item.sealed[field], { customerId: item.id, field });
      (record as unknown as Record<string, unknown>)[field] = masked(field) ? mask(field, value) : value;
    }
    return record;
  }
}
