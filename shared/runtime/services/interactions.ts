import { InteractionRepository, InteractionService } from '../../contexts/interactions/index.js';
import type { Wiring } from '../wiring.js';

export const interactionsOf = (w: Wiring): InteractionService =>
  w.once(
    'interactions',
    () => new InteractionService({ repository: new InteractionRepository(w.store, w.config.indexShards.interactions), store: w.store, keys: w.keys, clock: w.clock, audit: w.audit, onIntegrityFailure: w.onIntegrityFailure }),
  );
