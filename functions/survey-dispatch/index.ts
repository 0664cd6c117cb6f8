import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { surveyDispatchesOf } from '../../shared/runtime/services/surveys.js';
import { lambdaOverrides } from '../http/entry.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createSurveyDispatchConsumer } from './handler.js';

/** Lambda entry point of the survey-dispatch queue consumer (SQS): dispatch pages, invitations through SES and SNS. */
const observability = await createObservability('survey-dispatch');
const config = configFromEnv();
const instrument = instrumentWith(observability);
const container = composeContainer(config, lambdaOverrides(observability, awsNotifier(config, instrument)), (w) => ({ surveyDispatches: surveyDispatchesOf(w) }));
export const handler = createSurveyDispatchConsumer(container, observability);
