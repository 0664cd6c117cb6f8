import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { accessDetectorOf } from '../../shared/runtime/services/security.js';
import { lambdaOverrides } from '../http/entry.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createAuditStreamConsumer } from './handler.js';

/** Lambda entry point of the audit table's stream (DynamoDB Streams): the access detector; a finding may open a draft incident. */
const observability = await createObservability('audit-stream');
const config = configFromEnv();
const instrument = instrumentWith(observability);
const container = composeContainer(config, lambdaOverrides(observability, awsNotifier(config, instrument)), (w) => ({ accessDetector: accessDetectorOf(w) }));
export const handler = createAuditStreamConsumer(container, observability);
