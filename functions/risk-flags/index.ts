import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { riskFlagsOf } from '../../shared/runtime/services/risk-flags.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createRiskFlagsHandler } from './handler.js';

/** Lambda entry point of the risk-flags context: a closing call may open a complaint, acknowledged to the customer. */
export const handler = await lambdaHttpEntry('risk-flags', (w) => ({ riskFlags: riskFlagsOf(w) }), createRiskFlagsHandler, (config, instrument) => awsNotifier(config, instrument));
