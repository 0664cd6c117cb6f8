import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/routes.js';
import { SURVEY_DISPATCH_MAX_RECEIVES } from '../../functions/survey-dispatch/handler.js';
import { PLACEHOLDER_SURVEY_LINK_BASE, queueConsumers, readDeploymentConfig, DeploymentConfigError } from '../../infra/config.js';
import { synthesized } from './support.js';

/** SAT-1 to SAT-3 and AN-3 as deployed: the survey and risk-flag functions' grants, the dispatch queue, the jobs' schedules, their alarms. */
let t: Record<'api' | 'events' | 'observability', Template>;

beforeAll(async () => {
  const synth = await synthesized();
  const stack = (concern: string) => synth.templates[`Kehu-test-${concern}`]!;
  t = { api: stack('Api'), events: stack('Events'), observability: stack('Observability') };
}, 300_000);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
/** The statements of the policies attached to the role of the function built as `construct`. */
const statementsOf = (template: Template, construct: string): Statement[] =>
  (Object.values(template.findResources('AWS::IAM::Policy')) as Array<{ Properties: any }>)
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`${construct}Role`))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const actionsOf = (statements: Statement[]) => statements.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
const actionsOn = (statements: Statement[], resource: RegExp) =>
  statements.filter((s) => s.Effect === 'Allow' && resource.test(JSON.stringify(s.Resource))).flatMap((s) => [s.Action].flat());
const onApplicationKey = (statements: Statement[]) => statements.filter((s) => JSON.stringify(s.Resource).includes('ApplicationKey'));
const variablesOf = (template: Template, name: string): Record<string, unknown> => {
  const fn = (Object.values(template.findResources('AWS::Lambda::Function')) as Array<{ Properties: any }>).find((f) => f.Properties.FunctionName === name);
  expect(fn, name).toBeDefined();
  return fn!.Properties.Environment.Variables as Record<string, unknown>;
};
const alarmNamed = (name: string) =>
  (Object.values(t.observability.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: any }>).find((a) => a.Properties.AlarmName === `kehu-test-${name}`);

describe('surveys and risk-flags functions', () => {
  it('serve the surveys and risk-flags contexts of the route table', () => {
    const contexts = new Set(routeTable.map((r) => r.context));
    expect(contexts.has('surveys') && contexts.has('risk-flags'), 'the route table names both contexts').toBe(true);
    const names = (Object.values(t.api.findResources('AWS::Lambda::Function')) as Array<{ Properties: any }>).map((f) => f.Properties.FunctionName);
    expect(names).toEqual(expect.arrayContaining(['kehu-test-surveys', 'kehu-test-risk-flags']));
  });

  it('let surveys read and write the data table, unwrap (never make) customer keys, publish dispatches, and never notify or delete', () => {
    const statements = statementsOf(t.api, 'Surveys');
    expect([...new Set(actionsOn(statements, /DataTable/))].sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    expect(actionsOn(statements, /KeysTable/)).toEqual(['dynamodb:GetItem']);
    const direct = onApplicationKey(statements);
    expect(direct.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(direct[0]!.Condition!['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': ['purpose', 'customerId'] });
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['events:PutEvents', 'kms:GenerateMac']));
    expect(all.filter((a) => /^(ses|sns):/.test(a))).toEqual([]);
    expect(all).not.toContain('dynamodb:DeleteItem');
    expect(variablesOf(t.api, 'kehu-test-surveys')).toHaveProperty('EVENT_BUS_NAME');
  });

  it('let risk-flags work flags, open complaints acknowledged to the customer, with no events and no deletes', () => {
    const statements = statementsOf(t.api, 'RiskFlags');
    const onData = statements.find((s) => JSON.stringify(s.Resource).includes('/index/gsi3'));
    expect([onData!.Action].flat()).toEqual(expect.arrayContaining(['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']));
    expect(actionsOn(statements, /KeysTable/)).toEqual(['dynamodb:GetItem']);
    expect(onApplicationKey(statements).flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['ses:SendEmail', 'sns:Publish', 'kms:GenerateMac']));
    expect(all).not.toContain('events:PutEvents');
    expect(all).not.toContain('dynamodb:DeleteItem');
  });

  it('give the complaints function the bus, for the survey invitation a closing may queue', () => {
    expect(variablesOf(t.api, 'kehu-test-complaints')).toHaveProperty('EVENT_BUS_NAME');
    expect(actionsOf(statementsOf(t.api, 'Complaints'))).toContain('events:PutEvents');
  });
});

describe('survey dispatch', () => {
  it('routes SurveyDispatchPage and SurveyInvitationQueued to their own queue with a DLQ after 5 receives, consumed with partial batch failures', () => {
    const queues = (Object.entries(t.events.findResources('AWS::SQS::Queue')) as Array<[string, { Properties: any }]>).filter(([, q]) =>
      String(q.Properties.QueueName).startsWith('kehu-test-survey-dispatch'),
    );
    expect(queues.map(([, q]) => q.Properties.QueueName).sort()).toEqual(['kehu-test-survey-dispatch', 'kehu-test-survey-dispatch-dlq']);
    const [queueId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-survey-dispatch')!;
    const [dlqId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-survey-dispatch-dlq')!;
    t.events.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'kehu-test-survey-dispatch', RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } });
    // The consumer counts an invitation failed on the receive after which the queue gives up on it.
    expect(SURVEY_DISPATCH_MAX_RECEIVES).toBe(5);
    t.events.hasResourceProperties('AWS::Events::Rule', {
      Name: 'kehu-test-survey-dispatch',
      EventPattern: { source: ['kehu'], 'detail-type': ['SurveyDispatchPage', 'SurveyInvitationQueued'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } })],
    });
    t.events.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^SurveyDispatchConsumer') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(queueConsumers).toContain('survey-dispatch');
  });

  it('let the consumer page through the customer and closed-complaint indexes only, unwrap keys, publish, mail and text, never delete', () => {
    const statements = statementsOf(t.events, 'SurveyDispatchConsumer');
    const indexes = [...JSON.stringify(statements.map((s) => s.Resource)).matchAll(/\/index\/(gsi\d)/g)].map((m) => m[1]);
    expect([...new Set(indexes)].sort()).toEqual(['gsi1', 'gsi2']);
    expect([...new Set(actionsOn(statements, /DataTable/))].sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    expect(actionsOn(statements, /KeysTable/)).toEqual(['dynamodb:GetItem']);
    const direct = onApplicationKey(statements);
    expect(direct.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(direct[0]!.Condition!['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': ['purpose', 'customerId'] });
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['events:PutEvents', 'ses:SendEmail', 'sns:Publish', 'kms:GenerateMac']));
    expect(all).not.toContain('dynamodb:DeleteItem');
  });

  it('gives the consumer the link base of the deployment, the placeholder by default', () => {
    expect(variablesOf(t.events, 'kehu-test-survey-dispatch')).toMatchObject({ SURVEY_LINK_BASE: PLACEHOLDER_SURVEY_LINK_BASE, POWERTOOLS_SERVICE_NAME: 'survey-dispatch' });
    const read = (context: Record<string, unknown>) => readDeploymentConfig((k) => context[k], {});
    expect(read({ 'kehu:surveyLinkBase': 'https://kehu.example.com/surveys' }).surveyLinkBase).toBe('https://kehu.example.com/surveys');
    expect(read({}).riskFlagHandleHours).toBe(48);
    for (const bad of ['https://kehu.example.com/', 'http://kehu.example.com', 'kehu.example.com']) {
      expect(() => read({ 'kehu:surveyLinkBase': bad }), bad).toThrow(DeploymentConfigError);
      expect(() => read({ 'kehu:surveyLinkBase': bad }), bad).toThrow('kehu:surveyLinkBase');
    }
    expect(() => read({ 'kehu:riskFlagHandleHours': '0' })).toThrow('kehu:riskFlagHandleHours');
  });
});

describe('survey and risk-flag jobs', () => {
  const schedule = (name: string) =>
    (Object.values(t.events.findResources('AWS::Scheduler::Schedule')) as Array<{ Properties: any }>).find((x) => x.Properties.Name === name);

  it.each([
    ['kehu-test-survey-waves', 'survey-waves'],
    ['kehu-test-risk-flags-unhandled', 'risk-flags'],
  ])('runs %s hourly through the jobs queue, with its DLQ', (name, job) => {
    const found = schedule(name);
    expect(found?.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.parse(found!.Properties.Target.Input)).toEqual({ job });
    expect(found!.Properties.Target.DeadLetterConfig).toBeDefined();
    expect(JSON.stringify(found!.Properties.Target.Arn)).toMatch(/Jobs/);
  });

  it('lets the jobs function read the survey and dispatch indexes, write dispatches, and count flags past the configured hours', () => {
    const statements = statementsOf(t.events, 'JobsConsumer');
    const onDispatches = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/gsi2')).flatMap((s) => [s.Action].flat());
    expect(onDispatches).toContain('dynamodb:Query');
    const onListings = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/gsi1')).flatMap((s) => [s.Action].flat());
    expect(onListings).toContain('dynamodb:Query');
    expect(actionsOn(statements, /DataTable/)).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:ConditionCheckItem']));
    expect(actionsOf(statements)).toContain('events:PutEvents');
    expect(variablesOf(t.events, 'kehu-test-jobs')).toMatchObject({ RISK_FLAG_HANDLE_HOURS: '48' });
  });
});

describe('survey and risk-flag alarms and dashboard', () => {
  it('alarms on the first invitation counted failed', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-SurveyInvitationsFailed',
      Namespace: 'Kehu',
      MetricName: 'SurveyInvitationsFailed',
      Dimensions: [{ Name: 'service', Value: 'survey-dispatch' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms while a risk flag is unhandled past the limit, as the hourly job counts them', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-RiskFlagsUnhandled',
      Namespace: 'Kehu',
      MetricName: 'RiskFlagsUnhandled',
      Dimensions: [{ Name: 'service', Value: 'jobs' }],
      Statistic: 'Maximum',
      Period: 3600,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(JSON.stringify(alarmNamed('RiskFlagsUnhandled')!.Properties.AlarmDescription)).toContain('48 hours');
  });

  it("alarms on the first message in the survey dispatch queue's DLQ", () => {
    const dlq = alarmNamed('DeadLetters4');
    expect(dlq?.Properties).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    // The queue's name comes from the events stack: its export is named after the construct.
    expect(JSON.stringify(dlq!.Properties.Dimensions)).toMatch(/SurveyDispatchDeadLetters/);
  });

  it('alarms on errors and throttles of the three new functions', () => {
    for (const name of ['SurveysErrors', 'SurveysThrottles', 'RiskFlagsErrors', 'RiskFlagsThrottles', 'SurveyDispatchErrors', 'SurveyDispatchThrottles']) {
      expect(alarmNamed(name), name).toBeDefined();
    }
  });

  it('shows invitations sent and failed, dispatch pages and unhandled flags on the dashboard', () => {
    const [dashboard] = Object.values(t.observability.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: any }>;
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const metric of ['SurveyInvitationsSent', 'SurveyInvitationsFailed', 'SurveyDispatchPages', 'RiskFlagsUnhandled']) expect(body).toContain(`\\"${metric}\\"`);
  });
});
