import { awsDownloads, awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createSelfHandler } from './handler.js';

/** Lambda entry point of customer self-service: it sends one-time codes and answers exports. */
export const handler = await lambdaHttpEntry('self', createSelfHandler, (config, instrument) => ({
  ...awsNotifier(config, instrument),
  ...awsDownloads(config, instrument),
}));
