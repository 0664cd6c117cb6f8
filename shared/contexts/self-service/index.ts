export { SelfService, TooManyAttemptsError } from './service.js';
export * from './schemas.js';
