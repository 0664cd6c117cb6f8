import { RiskFlagRepository, RiskFlagService } from '../../contexts/risk-flags/index.js';
import type { Wiring } from '../wiring.js';
import { complaintsOf } from './complaints.js';

/**
 * Risk flags. The complaints service is reached only when a closing call opens a complaint:
 * complaints raise flags through this service too, so neither is built from the other eagerly.
 */
export const riskFlagsOf = (w: Wiring): RiskFlagService =>
  w.once(
    'riskFlags',
    () =>
      new RiskFlagService({
        repository: new RiskFlagRepository(w.store, w.config.indexShards.riskFlags),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        complaints: { create: (input, context, idempotencyKey) => complaintsOf(w).create(input, context, idempotencyKey) },
      }),
  );
