export { SharingService } from './service.js';
export * from './schemas.js';
export type * from './types.js';
