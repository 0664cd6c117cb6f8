import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { selfOf } from '../../shared/runtime/services/self.js';
import { surveyDispatchesOf, surveyResponsesOf, surveyResultsOf, surveysOf } from '../../shared/runtime/services/surveys.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createSurveysHandler } from './handler.js';

/** Lambda entry point of the surveys context; it verifies customer tokens (self-service), whose service holds the notifier. */
export const handler = await lambdaHttpEntry(
  'surveys',
  (w) => ({ surveys: surveysOf(w), surveyDispatches: surveyDispatchesOf(w), surveyResponses: surveyResponsesOf(w), surveyResults: surveyResultsOf(w), self: selfOf(w) }),
  createSurveysHandler,
  (config, instrument) => awsNotifier(config, instrument),
);
