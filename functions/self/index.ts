import { lambdaHttpEntry } from '../http/entry.js';
import { createSelfHandler } from './handler.js';

/** Lambda entry point of customer self-service. */
export const handler = await lambdaHttpEntry('self', createSelfHandler);
