import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/routes.js';
import { COMPLAINT_ESCALATIONS_PER_HOUR } from '../../infra/stacks/observability-stack.js';
import { dataTable } from '../../shared/platform/store/tables.js';
import { synthesized } from './support.js';

/** CMP-1 to CMP-4 as deployed: the complaint functions' grants, the escalation queue, the deadline schedule, their alarms. */
let t: Record<'data' | 'api' | 'events' | 'observability', Template>;

beforeAll(async () => {
  const synth = await synthesized();
  const stack = (concern: string) => synth.templates[`Kehu-test-${concern}`]!;
  t = { data: stack('Data'), api: stack('Api'), events: stack('Events'), observability: stack('Observability') };
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
const actionsOn = (statements: Statement[], resource: RegExp) =>
  statements.filter((s) => s.Effect === 'Allow' && resource.test(JSON.stringify(s.Resource))).flatMap((s) => [s.Action].flat());
const onApplicationKey = (statements: Statement[]) => statements.filter((s) => JSON.stringify(s.Resource).includes('ApplicationKey'));

describe('data table', () => {
  it('has the overdue index gsi4 (gsi4pk, gsi4sk), from the shared definition', () => {
    expect(dataTable.indexes.map((i) => i.name)).toContain('gsi4');
    const [table] = (Object.values(t.data.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: any }>).filter((x) => x.Properties.TableName === 'kehu-test-data');
    const gsi4 = table!.Properties.GlobalSecondaryIndexes.find((i: { IndexName: string }) => i.IndexName === 'gsi4');
    expect(gsi4?.KeySchema).toEqual([
      { AttributeName: 'gsi4pk', KeyType: 'HASH' },
      { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
    ]);
    expect(gsi4?.Projection).toEqual({ ProjectionType: 'ALL' });
  });
});

describe('complaints and reports functions', () => {
  it('serve the complaints and reports contexts of the route table', () => {
    const contexts = new Set(routeTable.map((r) => r.context));
    expect(contexts.has('complaints') && contexts.has('reports'), 'the route table names both contexts').toBe(true);
    const names = (Object.values(t.api.findResources('AWS::Lambda::Function')) as Array<{ Properties: any }>).map((f) => f.Properties.FunctionName);
    expect(names).toEqual(expect.arrayContaining(['kehu-test-complaints', 'kehu-test-reports']));
  });

  it('let complaints read and write the data table and every index, unwrap (never make) customer keys, and notify', () => {
    const statements = statementsOf(t.api, 'Complaints');
    const onData = statements.find((s) => JSON.stringify(s.Resource).includes('/index/gsi4'));
    expect([onData!.Action].flat().sort()).toEqual(
      ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'].sort(),
    );
    expect(JSON.stringify(onData!.Resource)).toMatch(/gsi1[\s\S]*gsi2[\s\S]*gsi3[\s\S]*gsi4/);
    expect(actionsOn(statements, /DataTable/)).not.toContain('dynamodb:DeleteItem');
    expect(actionsOn(statements, /KeysTable/)).toEqual(['dynamodb:GetItem']);
    const direct = onApplicationKey(statements);
    expect(direct.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(direct[0]!.Condition!['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': ['purpose', 'customerId'] });
    const all = statements.flatMap((s) => [s.Action].flat());
    expect(all).toEqual(expect.arrayContaining(['ses:SendEmail', 'sns:Publish', 'kms:GenerateMac']));
    // Escalations are published by the deadline job; a closing publishes only its survey invitation, on Kehu's bus.
    const puts = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    for (const put of puts) expect(JSON.stringify(put.Resource)).toContain('Bus');
  });

  it('let reports read the aggregates and record improvement actions, with no key, no notifier, no events', () => {
    const statements = statementsOf(t.api, 'Reports');
    expect(actionsOn(statements, /DataTable/).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(actionsOn(statements, /KeysTable/)).toEqual([]);
    expect(onApplicationKey(statements)).toEqual([]);
    const all = statements.flatMap((s) => [s.Action].flat());
    expect(all.filter((a) => /^(ses|sns|events):/.test(a))).toEqual([]);
  });
});

describe('escalations and deadlines', () => {
  it('route ComplaintEscalated events to their own queue with a DLQ, consumed with partial batch failures', () => {
    const queues = (Object.entries(t.events.findResources('AWS::SQS::Queue')) as Array<[string, { Properties: any }]>).filter(([, q]) =>
      String(q.Properties.QueueName).startsWith('kehu-test-complaint-escalations'),
    );
    expect(queues.map(([, q]) => q.Properties.QueueName).sort()).toEqual(['kehu-test-complaint-escalations', 'kehu-test-complaint-escalations-dlq']);
    const [queueId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-complaint-escalations')!;
    const [dlqId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-complaint-escalations-dlq')!;
    t.events.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'kehu-test-complaint-escalations', RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } });
    t.events.hasResourceProperties('AWS::Events::Rule', {
      Name: 'kehu-test-complaint-escalated',
      EventPattern: { source: ['kehu'], 'detail-type': ['ComplaintEscalated'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } })],
    });
    t.events.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^ComplaintEscalationsConsumer') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('let the announcer mark announcements and mail staff, never text or delete', () => {
    const all = statementsOf(t.events, 'ComplaintEscalationsConsumer').flatMap((s) => [s.Action].flat());
    expect(all).toContain('ses:SendEmail');
    expect(all).toContain('dynamodb:UpdateItem');
    expect(all).not.toContain('sns:Publish');
    expect(all).not.toContain('dynamodb:DeleteItem');
    expect(onApplicationKey(statementsOf(t.events, 'ComplaintEscalationsConsumer')).flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
  });

  it('run the complaint deadline job every 5 minutes through the jobs queue, with what it needs', () => {
    const schedule = (Object.values(t.events.findResources('AWS::Scheduler::Schedule')) as Array<{ Properties: any }>).find(
      (x) => x.Properties.Name === 'kehu-test-complaint-deadlines',
    );
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(JSON.parse(schedule!.Properties.Target.Input)).toEqual({ job: 'complaint-deadlines' });
    expect(schedule!.Properties.Target.DeadLetterConfig).toBeDefined();
    const statements = statementsOf(t.events, 'JobsConsumer');
    const onOverdue = statements.filter((s) => JSON.stringify(s.Resource).includes('/index/gsi4')).flatMap((s) => [s.Action].flat());
    expect(onOverdue).toContain('dynamodb:Query');
    expect(actionsOn(statements, /DataTable/)).toContain('dynamodb:UpdateItem');
    const customerData = onApplicationKey(statements).filter((s) => JSON.stringify(s.Condition).includes('customer-data'));
    expect(customerData.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(statements.flatMap((s) => [s.Action].flat())).toEqual(expect.arrayContaining(['ses:SendEmail', 'sns:Publish', 'events:PutEvents']));
  });
});

describe('complaint alarms and dashboard', () => {
  it('alarms on an open complaint overdue for 15 minutes, as the deadline job counts them', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-ComplaintsOverdue',
      Namespace: 'Kehu',
      MetricName: 'ComplaintsOverdue',
      Dimensions: [{ Name: 'service', Value: 'jobs' }],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on a burst of escalations within an hour', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-ComplaintEscalations',
      MetricName: 'ComplaintEscalations',
      Dimensions: [{ Name: 'service', Value: 'jobs' }],
      Statistic: 'Sum',
      Period: 3600,
      Threshold: COMPLAINT_ESCALATIONS_PER_HOUR,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on the first message in the escalation queue\'s DLQ', () => {
    const alarms = Object.values(t.observability.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: any }>;
    const dlq = alarms.find((a) => a.Properties.AlarmName === 'kehu-test-DeadLetters3');
    expect(dlq?.Properties).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
    // The queue's name comes from the events stack: its export is named after the construct.
    expect(JSON.stringify(dlq!.Properties.Dimensions)).toMatch(/ComplaintEscalationsDeadLetters/);
  });

  it('shows overdue, due soon, raised and announced escalations on the dashboard', () => {
    const [dashboard] = Object.values(t.observability.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: any }>;
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const metric of ['ComplaintsOverdue', 'ComplaintsDueSoon', 'ComplaintEscalations', 'ComplaintEscalationsAnnounced']) expect(body).toContain(`\\"${metric}\\"`);
  });
});
