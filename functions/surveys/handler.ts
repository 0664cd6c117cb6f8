import type { Actor, CustomerActor } from '../../shared/platform/access/index.js';
import type { SurveyView } from '../../shared/contexts/surveys/index.js';
import type { Container } from '../../shared/runtime/index.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions, type Operations } from '../http/index.js';
import { surveyRoutes } from './routes.js';

type Services = Pick<Container, 'surveys' | 'surveyDispatches' | 'surveyResponses' | 'surveyResults' | 'self'>;

const withEtag = (survey: SurveyView, status = 200, extra: Record<string, string> = {}) => ({ status, body: survey, headers: { etag: `"${survey.etag}"`, ...extra } });
/** Whoever answers through a link is known only by it: the invitation's customer is the actor of what is recorded. */
const anonymous = (requestId: string) => ({ actor: { id: 'survey-link', role: 'system' as const, requestId }, purpose: 'survey' });

export function surveyOperations(container: Services): Operations<typeof surveyRoutes> {
  const { surveys, surveyDispatches, surveyResponses, surveyResults } = container;
  const as = (actor: Actor, purpose = 'survey') => ({ actor, purpose });
  const own = (actor: CustomerActor) => ({ actor, purpose: 'survey' });
  const answered = (response: { state: string }) => (response.state === 'answered' ? 201 : 200);
  return {
    createSurvey: async ({ body, actor, idempotencyKey }) => {
      const { survey, replayed } = await surveys.create(body, as(actor), idempotencyKey);
      return withEtag(survey, 201, { location: `/v1/surveys/${survey.id}`, ...(replayed ? { 'idempotent-replayed': 'true' } : {}) });
    },
    listSurveys: async ({ query, actor }) => ({ status: 200, body: await surveys.list(query, as(actor)) }),
    getSurvey: async ({ params, query, actor }) => withEtag(await surveys.get(params.id, as(actor), query.version)),
    updateSurvey: async ({ params, body, actor, ifMatch }) => withEtag(await surveys.update(params.id, body, as(actor), ifMatch)),
    draftSurveyVersion: async ({ params, actor, ifMatch }) => withEtag(await surveys.newVersion(params.id, as(actor), ifMatch), 201),
    transitionSurvey: async ({ params, body, actor, ifMatch }) => withEtag(await surveys.transition(params.id, body, as(actor), ifMatch)),
    dispatchSurvey: async ({ params, body, actor, idempotencyKey }) => {
      const dispatch = await surveyDispatches.start(params.id, body, as(actor), idempotencyKey);
      return { status: 202, body: dispatch, headers: { location: `/v1/surveys/${params.id}/dispatches/${dispatch.id}` } };
    },
    getSurveyDispatch: async ({ params, actor }) => ({ status: 200, body: await surveyDispatches.get(params.id, params.dispatchId, as(actor)) }),
    getSurveyForm: async ({ params, headers, requestId }) => ({ status: 200, body: await surveyResponses.form(params.id, { token: headers['survey-token'] }, anonymous(requestId)) }),
    answerSurvey: async ({ params, body, requestId }) => {
      const response = await surveyResponses.respond(params.id, { token: body.token }, { answers: body.answers, ...(body.submit !== undefined ? { submit: body.submit } : {}) }, anonymous(requestId));
      return { status: answered(response), body: response };
    },
    selfListSurveys: async ({ actor }) => ({ status: 200, body: { items: await surveyResponses.ofCustomer(actor.id, own(actor)) } }),
    selfGetSurveyForm: async ({ params, actor }) => ({ status: 200, body: await surveyResponses.form(params.id, { customerId: actor.id }, own(actor)) }),
    selfAnswerSurvey: async ({ params, body, actor }) => {
      const response = await surveyResponses.respond(params.id, { customerId: actor.id }, { answers: body.answers, ...(body.submit !== undefined ? { submit: body.submit } : {}) }, own(actor));
      return { status: answered(response), body: response };
    },
    getSurveyResults: async ({ params, query, actor }) => ({ status: 200, body: await surveyResults.results(params.id, query, as(actor)) }),
    listSurveyComments: async ({ params, query, actor }) => ({ status: 200, body: await surveyResults.comments(params.id, query, as(actor, 'survey-analysis')) }),
  };
}

/** Customer routes verify the customer's own token here; API Gateway's authorizer is for staff. */
export const createSurveysHandler = (container: Services, options: HttpHandlerOptions): HttpHandler =>
  createHttpHandler(surveyRoutes, surveyOperations(container), {
    ...options,
    authenticateCustomer: (authorization, requestId) => container.self.authenticate(authorization, requestId),
  });
