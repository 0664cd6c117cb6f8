import { ErasureRunRepository } from '../../contexts/erasure/index.js';
import { RequestRepository, RequestService } from '../../contexts/requests/index.js';
import type { Wiring } from '../wiring.js';
import { complaintRecordsOf } from './complaints.js';
import { consentOf } from './consent.js';
import { customersOf } from './customers.js';
import { eventsOf } from './events.js';
import { interactionsOf } from './interactions.js';
import { sharingOf } from './sharing.js';
import { surveyAnswerRecordsOf } from './surveys.js';

export const requestsOf = (w: Wiring): RequestService =>
  w.once(
    'requests',
    () =>
      new RequestService({
        repository: new RequestRepository(w.store, w.config.indexShards.requests),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        events: eventsOf(w),
        customers: customersOf(w),
        consent: consentOf(w),
        interactions: interactionsOf(w),
        sharing: sharingOf(w),
        complaints: complaintRecordsOf(w),
        surveys: surveyAnswerRecordsOf(w),
        // Requests name the erasure tracking they need; erasure's run store provides it.
        erasures: new ErasureRunRepository(w.store, w.config.indexShards.erasures),
        onPublishFailure: w.onPublishFailure,
        onIntegrityFailure: w.onIntegrityFailure,
      }),
  );
