export { ErasureService, type DestructionCertificate } from './service.js';
