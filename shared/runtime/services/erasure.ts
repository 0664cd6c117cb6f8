import { ErasedSubjects, ErasureService, ErasureSupervisor } from '../../contexts/erasure/index.js';
import { ERASED, type SubjectResolver } from '../../platform/audit/index.js';
import type { Wiring } from '../wiring.js';
import { eventsOf } from './events.js';
import { interactionsOf } from './interactions.js';
import { requestsOf } from './requests.js';

export const erasureOf = (w: Wiring): ErasureService =>
  w.once('erasure', () => new ErasureService({ store: w.store, keys: w.keys, clock: w.clock, audit: w.audit, requests: requestsOf(w), shards: w.config.indexShards.erasures }));

/** Unfinished erasures: listed, resumed, retried. */
export const erasuresOf = (w: Wiring): ErasureSupervisor =>
  w.once('erasures', () => new ErasureSupervisor({ store: w.store, clock: w.clock, audit: w.audit, events: eventsOf(w), shards: w.config.indexShards.erasures }));

/** How verification recomputes the content hash of each kind of audited target. */
export const subjectsOf = (w: Wiring): Readonly<Record<string, SubjectResolver>> =>
  w.once('subjects', () => {
    const interactions = interactionsOf(w);
    // Only the certificate lookup: verification needs no erasure service, nor what it depends on.
    const erased = new ErasedSubjects({ store: w.store, keys: w.keys });
    // An interaction gone by a certified erasure is not a tampered one.
    const interaction: SubjectResolver = async (targetId) =>
      (await interactions.subject(targetId)) ?? ((await erased.isErased(targetId.split('/')[0] ?? '')) ? ERASED : undefined);
    return { interaction };
  });
