import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { incidentNotificationsOf, incidentScopesOf } from '../../shared/runtime/services/incidents.js';
import { lambdaOverrides } from '../http/entry.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createIncidentWorkConsumer } from './handler.js';

/**
 * Lambda entry point of the incident-work queue consumer (SQS): scope pages, notification
 * pages, notices through SES and SNS. A drill's notices go to the drill sink the config names
 * (`DRILL_SINK=log`: LogDrillSink, one masked line per notice), never to a customer.
 */
const observability = await createObservability('incident-work');
const config = configFromEnv();
const instrument = instrumentWith(observability);
const container = composeContainer(config, lambdaOverrides(observability, awsNotifier(config, instrument)), (w) => ({
  incidentScopes: incidentScopesOf(w),
  incidentNotifications: incidentNotificationsOf(w),
}));
export const handler = createIncidentWorkConsumer(container, observability);
