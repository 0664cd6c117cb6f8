import { awsDownloads, awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { complaintsOf } from '../../shared/runtime/services/complaints.js';
import { consentOf } from '../../shared/runtime/services/consent.js';
import { requestsOf } from '../../shared/runtime/services/requests.js';
import { selfOf } from '../../shared/runtime/services/self.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createSelfHandler } from './handler.js';

/** Lambda entry point of customer self-service: it sends one-time codes and answers exports. */
export const handler = await lambdaHttpEntry('self', (w) => ({ self: selfOf(w), requests: requestsOf(w), consent: consentOf(w), complaints: complaintsOf(w) }), createSelfHandler, (config, instrument) => ({
  ...awsNotifier(config, instrument),
  ...awsDownloads(config, instrument),
}));
