import { interactionsOf } from '../../shared/runtime/services/interactions.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createInteractionsHandler } from './handler.js';

/** Lambda entry point of the interactions context. */
export const handler = await lambdaHttpEntry('interactions', (w) => ({ interactions: interactionsOf(w) }), createInteractionsHandler);
