import { lambdaHttpEntry } from '../http/entry.js';
import { createConsentHandler } from './handler.js';

/** Lambda entry point of the consent context. */
export const handler = await lambdaHttpEntry('consent', createConsentHandler);
