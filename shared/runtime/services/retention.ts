import { RetentionService } from '../../contexts/retention/index.js';
import type { Wiring } from '../wiring.js';
import { erasureOf } from './erasure.js';
import { eventsOf } from './events.js';

export const retentionOf = (w: Wiring): RetentionService =>
  w.once('retention', () => new RetentionService({ store: w.store, clock: w.clock, audit: w.audit, erasure: erasureOf(w), events: eventsOf(w), indexShards: w.config.indexShards }));
