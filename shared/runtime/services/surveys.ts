import { ComplaintRepository } from '../../contexts/complaints/repository.js';
import { SurveyRepository, SurveyService } from '../../contexts/surveys/index.js';
import { SurveyComments } from '../../contexts/surveys/comments.js';
import { SurveyDispatchService } from '../../contexts/surveys/dispatch.js';
import { DispatchRepository } from '../../contexts/surveys/dispatch-repository.js';
import { SurveyLinks } from '../../contexts/surveys/links.js';
import { SurveyAnswerRecords } from '../../contexts/surveys/records.js';
import { SurveyResponseService } from '../../contexts/surveys/responses.js';
import { SurveyResultsService } from '../../contexts/surveys/results.js';
import type { Wiring } from '../wiring.js';
import { consentOf } from './consent.js';
import { customerRepositoryOf, customersOf } from './customers.js';
import { eventsOf } from './events.js';
import { riskFlagsOf } from './risk-flags.js';
import { notifierOf } from './self.js';

/** Survey definitions and versions (SAT-1). */
export const surveysOf = (w: Wiring): SurveyService =>
  w.once(
    'surveys',
    () =>
      new SurveyService({
        repository: new SurveyRepository(w.store, w.config.indexShards.surveys),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        idempotencyTtlSeconds: w.config.idempotencyTtlSeconds,
      }),
  );

/** The signed answer links: the same key for the dispatch that signs them and the answers that verify them. */
export const surveyLinksOf = (w: Wiring): SurveyLinks => w.once('surveyLinks', () => new SurveyLinks(w.keys));

/** Survey invitations and answers for reading only (the access export, self-service). */
export const surveyAnswerRecordsOf = (w: Wiring): SurveyAnswerRecords =>
  w.once('surveyAnswerRecords', () => new SurveyAnswerRecords({ store: w.store, keys: w.keys, onIntegrityFailure: w.onIntegrityFailure }));

/** Answers through a link or a customer token. */
export const surveyResponsesOf = (w: Wiring): SurveyResponseService =>
  w.once(
    'surveyResponses',
    () =>
      new SurveyResponseService({
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        definitions: surveysOf(w),
        risk: riskFlagsOf(w),
        links: surveyLinksOf(w),
        records: surveyAnswerRecordsOf(w),
        shards: w.config.indexShards.surveys,
      }),
  );

/** Results from the answer aggregates, and free-text answers under pseudonyms. */
export const surveyResultsOf = (w: Wiring): SurveyResultsService =>
  w.once('surveyResults', () => {
    const definitions = surveysOf(w);
    const comments = new SurveyComments({ store: w.store, keys: w.keys, audit: w.audit, records: surveyAnswerRecordsOf(w), definitions, shards: w.config.indexShards.surveys });
    return new SurveyResultsService({ store: w.store, audit: w.audit, definitions, comments });
  });

/** Dispatches: the audience paged through indexes, invitations made and sent through the queue. */
export const surveyDispatchesOf = (w: Wiring): SurveyDispatchService =>
  w.once(
    'surveyDispatches',
    () =>
      new SurveyDispatchService({
        store: w.store,
        repository: new DispatchRepository(w.store, w.config.indexShards.surveys),
        definitions: surveysOf(w),
        consent: consentOf(w),
        customers: customerRepositoryOf(w),
        complaints: new ComplaintRepository(w.store, w.config.indexShards.complaints),
        events: eventsOf(w),
        audit: w.audit,
        clock: w.clock,
        keys: w.keys,
        links: surveyLinksOf(w),
        contacts: customersOf(w),
        notifier: notifierOf(w),
        linkBase: w.config.surveyLinkBase,
        onPublishFailure: w.onPublishFailure,
      }),
  );
