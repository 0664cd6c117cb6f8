export { CustomerService } from './service.js';
export { CustomerRepository, CUSTOMER_LIST, CUSTOMER_REVIEW, PROFILE_RETENTION, liveProfile, type CustomerItem, type ErasureMark } from './repository.js';
export {
  resolveView,
  canSeeContacts,
  customerViews,
  maskEmail,
  maskPhone,
  pickFields,
  viewForFields,
  type CustomerView,
} from './access-policy.js';
export { NumberBlocks } from './number-blocks.js';
export { canonicalJson, hmac } from './fields.js';
export { defaultReviewIntervals, parseReviewIntervals, type ReviewIntervals } from './review-policy.js';
export * from './schemas.js';
export { customerIdParams, pageQuery } from './params.js';
export * from './errors.js';
export type { Classification, CreateResult, CustomerServiceOptions, CustomerRecord, DamagedRecord, HistoryEntry, HoldCategory, LegalHold, ProcessingFlags } from './types.js';
export { customerLanguages, customerTypes, lawfulBases, lifecycleStages, type CustomerLanguage } from './types.js';
export { activeHolds, describeHold, holdCategories, holdsCategory } from './types.js';
