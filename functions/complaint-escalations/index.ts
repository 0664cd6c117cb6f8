import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { complaintAnnouncerOf } from '../../shared/runtime/services/complaint-escalations.js';
import { lambdaOverrides } from '../http/entry.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createComplaintEscalationConsumer } from './handler.js';

/** Lambda entry point of the complaint-escalations queue consumer (SQS): staff mail through SES. */
const observability = await createObservability('complaint-escalations');
const config = configFromEnv();
const instrument = instrumentWith(observability);
const container = composeContainer(config, lambdaOverrides(observability, awsNotifier(config, instrument)), (w) => ({ complaintAnnouncer: complaintAnnouncerOf(w) }));
export const handler = createComplaintEscalationConsumer(container, observability);
