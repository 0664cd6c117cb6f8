export { InteractionService } from './service.js';
export { InteractionRepository, INTERACTION_RETENTION, interactionHash } from './repository.js';
export * from './schemas.js';
export type { DamagedInteraction, Interaction } from './types.js';
