import { consentOf } from '../../shared/runtime/services/consent.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createConsentHandler } from './handler.js';

/** Lambda entry point of the consent context. */
export const handler = await lambdaHttpEntry('consent', (w) => ({ consent: consentOf(w) }), createConsentHandler);
