export { FindingService } from './service.js';
export { AccessDetector, DETECTOR_CONTEXT, type AccessDetectorDeps, type DraftIncidentInput, type Observation } from './detector.js';
export { FindingRepository, type FindingFilters, type FindingItem } from './findings-repository.js';
export { AccessCounterRepository, BASELINE_ALPHA, MIN_BASELINE_HOURS } from './counters-repository.js';
export { defaultThresholds, parseThresholds } from './thresholds.js';
export { CODE_REJECTED, contributions, findingIdOf, isBusinessHour, isCustomerRead, levelOf, readThreshold } from './rules.js';
export * from './keys.js';
export * from './schemas.js';
export * from './types.js';
