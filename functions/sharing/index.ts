import { lambdaHttpEntry } from '../http/entry.js';
import { createSharingHandler } from './handler.js';

/** Lambda entry point of the sharing context. */
export const handler = await lambdaHttpEntry('sharing', createSharingHandler);
