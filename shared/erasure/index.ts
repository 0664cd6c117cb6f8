export { ErasureService, HELD_REMAINDER, type DestructionCertificate, type ErasureCause } from './service.js';
