import { SharingService } from '../../contexts/sharing/index.js';
import type { Wiring } from '../wiring.js';
import { consentReadsOf } from './consent.js';
import { customerRepositoryOf, customersOf } from './customers.js';

export const sharingOf = (w: Wiring): SharingService =>
  w.once(
    'sharing',
    () => new SharingService({ store: w.store, clock: w.clock, audit: w.audit, consent: consentReadsOf(w), customers: customersOf(w), repository: customerRepositoryOf(w), shards: w.config.indexShards.shares }),
  );
