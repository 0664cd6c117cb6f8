import { CustomerRepository, CustomerService } from '../../contexts/customers/index.js';
import type { Wiring } from '../wiring.js';

/** One repository per wiring: it holds the block of customer numbers this instance reserved. */
export const customerRepositoryOf = (w: Wiring): CustomerRepository =>
  w.once('customer-repository', () => new CustomerRepository(w.store, { numberBlock: w.config.customerNumberBlock, shards: w.config.indexShards.customers }));

export const customersOf = (w: Wiring): CustomerService =>
  w.once(
    'customers',
    () =>
      new CustomerService(
        { repository: customerRepositoryOf(w), keys: w.keys, clock: w.clock, audit: w.audit, onIntegrityFailure: w.onIntegrityFailure },
        { reviewIntervals: w.config.reviewIntervals, idempotencyTtlSeconds: w.config.idempotencyTtlSeconds },
      ),
  );
