export { ExportService } from './service.js';
export * from './schemas.js';
