export { RequestService, DUE_SOON_DAYS } from './service.js';
export { RequestRepository } from './repository.js';
export { dueDate, jurisdictions, PIPL_WORKING_DAYS, type Jurisdiction } from './deadlines.js';
export { checkTransition, isOpen } from './state-machine.js';
export * from './schemas.js';
export type * from './types.js';
