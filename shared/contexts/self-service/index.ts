export { CODE_REJECTED_ACTION, SelfService, TooManyAttemptsError } from './service.js';
export * from './schemas.js';
