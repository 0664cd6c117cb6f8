export { SharingService, type Partner, type Share } from './service.js';
export * from './schemas.js';
