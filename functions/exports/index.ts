import { awsDownloads } from '../../shared/runtime/aws-adapters.js';
import { exportsOf } from '../../shared/runtime/services/exports.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createExportsHandler } from './handler.js';

/** Lambda entry point of the exports context. */
export const handler = await lambdaHttpEntry('exports', (w) => ({ exports: exportsOf(w) }), createExportsHandler, awsDownloads);
