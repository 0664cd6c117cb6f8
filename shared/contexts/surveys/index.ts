export * from './types.js';
export * from './keys.js';
export * from './schemas.js';
export { SurveyRepository, type SurveyDefinition, type SurveyHead, type SurveyHeadItem } from './survey-repository.js';
export { SurveyService } from './service.js';
export type { SurveyServiceDeps, SurveyView } from './definitions.js';
/** Segment matching and name-based ids, used by the incidents' scope job and drafts too. */
export { inSegment, type CandidateProfile } from './audience.js';
export { uuidOf } from './sampling.js';
