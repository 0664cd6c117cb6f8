export { ErasureService, HELD_REMAINDER, RESUME_ERASURE_AFTER_MS, type DestructionCertificate, type ErasureCause } from './service.js';
