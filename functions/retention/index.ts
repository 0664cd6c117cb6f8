import { retentionOf } from '../../shared/runtime/services/retention.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createRetentionHandler } from './handler.js';

/** Lambda entry point of the retention context. */
export const handler = await lambdaHttpEntry('retention', (w) => ({ retention: retentionOf(w) }), createRetentionHandler);
