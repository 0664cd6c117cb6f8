export { AuditTrail, defaultAuditOptions, type AuditTrailOptions, type AuditTrailDependencies } from './service.js';
export { ERASED, type SubjectResolver } from './verifier.js';
export { AuditRepository, auditEntryOfItem } from './repository.js';
export { AuditKeys, AUDIT_KEY_LABEL } from './keys.js';
export { entryMac, legacyEntryHash, link, verifyLinks, GENESIS_MAC, CURRENT_FORMAT } from './chain.js';
export { signCheckpoint, openCheckpoint } from './checkpoints.js';
export { VerificationRangeError } from './errors.js';
export * from './schemas.js';
export type * from './types.js';
