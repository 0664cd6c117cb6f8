export * from './types.js';
export * from './keys.js';
export * from './schemas.js';
export { SurveyRepository, type SurveyDefinition, type SurveyHead, type SurveyHeadItem } from './survey-repository.js';
export { SurveyService } from './service.js';
export type { SurveyServiceDeps, SurveyView } from './definitions.js';
