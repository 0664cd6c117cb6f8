export { RiskFlagService, RiskFlagActionConflictError, complaintKeyOf } from './service.js';
export { RiskFlagRepository, MAX_UNHANDLED_COUNT, RISK_FLAG_INDEX_ATTRIBUTES, type RiskFlagItem, type RiskFlagFields, type RiskFlagFilters } from './repository.js';
export { flagsForComplaint, writesForComplaint, REOPENS_FLAGGED } from './complaint-signals.js';
export { allowedRiskFlagActions, checkRiskFlagTransition, isUnhandled, riskFlagActions, type RiskFlagAction } from './state-machine.js';
export * from './keys.js';
export * from './schemas.js';
export * from './types.js';
