export { RetentionService, type SweepResult } from './service.js';
export * from './schemas.js';
