export { ErasureService, HELD_REMAINDER } from './service.js';
export { ErasedSubjects } from './erased.js';
export { ErasureSupervisor, RESUME_ERASURE_AFTER_MS, ERASURE_STUCK_AFTER_MS, type ResumeResult } from './supervision.js';
export { ErasureRunRepository, referenceOf, UNFINISHED_RUNS } from './runs.js';
export { erasureSteps, type DestructionCertificate, type ErasureCause, type ErasureRun, type ErasureStep } from './types.js';
export * from './schemas.js';
