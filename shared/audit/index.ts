export { AuditTrail, defaultAuditOptions, ERASED, type AuditTrailOptions, type SubjectResolver } from './service.js';
export { AuditRepository } from './repository.js';
export { entryHash, link, verifyLinks, GENESIS_HASH } from './chain.js';
export { VerificationRangeError } from './errors.js';
export * from './schemas.js';
export type * from './types.js';
