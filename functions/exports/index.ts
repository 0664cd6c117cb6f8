import { awsDownloads } from '../../shared/runtime/aws-adapters.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createExportsHandler } from './handler.js';

/** Lambda entry point of the exports context. */
export const handler = await lambdaHttpEntry('exports', createExportsHandler, awsDownloads);
