import { sharingOf } from '../../shared/runtime/services/sharing.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createSharingHandler } from './handler.js';

/** Lambda entry point of the sharing context. */
export const handler = await lambdaHttpEntry('sharing', (w) => ({ sharing: sharingOf(w) }), createSharingHandler);
