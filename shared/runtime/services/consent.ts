import { ConsentRepository, ConsentService } from '../../contexts/consent/index.js';
import type { Wiring } from '../wiring.js';
import { eventsOf } from './events.js';

export const consentOf = (w: Wiring): ConsentService =>
  w.once(
    'consent',
    () =>
      new ConsentService({
        repository: new ConsentRepository(w.store, w.config.indexShards.consents),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        events: eventsOf(w),
        onPublishFailure: w.onPublishFailure,
        onIntegrityFailure: w.onIntegrityFailure,
      }),
  );
