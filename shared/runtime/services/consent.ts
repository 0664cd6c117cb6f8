import { ConsentRepository, ConsentService, type ConsentReads } from '../../contexts/consent/index.js';
import type { EventPublisher } from '../../platform/ports/index.js';
import type { Wiring } from '../wiring.js';
import { eventsOf } from './events.js';

const consentWith = (w: Wiring, events: EventPublisher): ConsentService =>
  new ConsentService({
    repository: new ConsentRepository(w.store, w.config.indexShards.consents),
    store: w.store,
    keys: w.keys,
    clock: w.clock,
    audit: w.audit,
    events,
    onPublishFailure: w.onPublishFailure,
    onIntegrityFailure: w.onIntegrityFailure,
  });

export const consentOf = (w: Wiring): ConsentService => w.once('consent', () => consentWith(w, eventsOf(w)));

/** Reads change no consent, so they publish nothing. */
const publishesNothing: EventPublisher = {
  publish: async () => {
    throw new Error('Consent reads publish no events.');
  },
};

/**
 * Consent for the services that only read it (exports, sharing): built without the event
 * publisher, so their functions carry no EventBridge client. Nothing is cached in the
 * service, so this second instance beside a full one (requests, local) reads the same.
 */
export const consentReadsOf = (w: Wiring): ConsentReads => w.once('consent-reads', (): ConsentReads => consentWith(w, publishesNothing));
