import { awsDownloads } from '../../shared/runtime/aws-adapters.js';
import { erasureOf, erasuresOf } from '../../shared/runtime/services/erasure.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createRequestsHandler } from './handler.js';

/** Lambda entry point of the requests context. */
export const handler = await lambdaHttpEntry('requests', (w) => ({ requests: requestsOf(w), erasure: erasureOf(w), erasures: erasuresOf(w) }), createRequestsHandler, awsDownloads);
