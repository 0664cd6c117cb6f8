import { AccessDetector, FindingRepository, FindingService } from '../../contexts/security/index.js';
import type { Wiring } from '../wiring.js';
import { eventsOf } from './events.js';
import { incidentsOf } from './incidents.js';

/** Findings of unusual access (SEC-6). */
export const findingRepositoryOf = (w: Wiring): FindingRepository =>
  w.once('findingRepository', () => new FindingRepository(w.store, w.config.indexShards.findings));

export const securityFindingsOf = (w: Wiring): FindingService =>
  w.once('securityFindings', () => new FindingService({ findings: findingRepositoryOf(w), audit: w.audit }));

/**
 * The detector the audit stream feeds. The incidents service is reached only when a finding
 * opens a draft, so the stream function builds it on that first call.
 */
export const accessDetectorOf = (w: Wiring): AccessDetector =>
  w.once(
    'accessDetector',
    () =>
      new AccessDetector({
        store: w.store,
        clock: w.clock,
        thresholds: w.config.securityThresholds,
        findings: findingRepositoryOf(w),
        incidents: { openDraft: (input, context) => incidentsOf(w).openDraft(input, context) },
        events: eventsOf(w),
        onPublishFailure: w.onPublishFailure,
      }),
  );
