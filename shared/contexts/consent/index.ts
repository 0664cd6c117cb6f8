export { ConsentService } from './service.js';
export { ConsentRepository } from './repository.js';
export { PurposeNotFoundError, OutdatedNoticeError } from './errors.js';
export { isCurrentConsent, mayProcess, decisionEvent } from './rules.js';
export * from './schemas.js';
export { purposeFields, type ConsentReads, type PublishFailureHandler, type Purpose, type PurposeField, type ConsentState } from './types.js';
