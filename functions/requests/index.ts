import { awsDownloads } from '../../shared/runtime/aws-adapters.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createRequestsHandler } from './handler.js';

/** Lambda entry point of the requests context. */
export const handler = await lambdaHttpEntry('requests', createRequestsHandler, awsDownloads);
