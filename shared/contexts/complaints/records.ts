import type { AuditContext } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { IntegrityFailureHandler } from '../../platform/ports/index.js';
import type { ComplaintItem, ComplaintRepository } from './repository.js';
import { damagedComplaint, openComplaint } from './sealing.js';
import type { Complaint } from './types.js';

/**
 * Complaints as stored, opened for reading: what the complaint service shows and what the
 * access export reads. Apart from the service so that a reader (the requests, exports and
 * self functions) builds no notifier, policies or counters.
 */
export class ComplaintRecords {
  constructor(private readonly deps: { repository: ComplaintRepository; keys: DataKeyRing; onIntegrityFailure: IntegrityFailureHandler }) {}

  /** Opens a stored complaint; one whose sealed texts fail their check is shown marked, and reported. */
  async present(item: ComplaintItem): Promise<Complaint> {
    try {
      return openComplaint(await this.deps.keys.get(item.customerId), item);
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'SealError') throw error;
      this.deps.onIntegrityFailure({ record: 'complaint', customerId: item.customerId });
      return damagedComplaint(item);
    }
  }

  /** Every complaint of a customer, up to `max`, for the access export (DSR-1); the export audits its own read. */
  async allOfCustomer(customerId: string, _context: AuditContext, max = 10_000): Promise<Complaint[]> {
    const all: Complaint[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.ofCustomer(customerId, { limit: 100, ...(cursor ? { cursor } : {}) });
      all.push(...(await Promise.all(page.items.map((item) => this.present(item)))));
      cursor = page.cursor;
    } while (cursor && all.length < max);
    return all.slice(0, max);
  }
}
