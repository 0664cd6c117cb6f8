import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_WORK_MAX_RECEIVES } from '../../functions/incident-work/handler.js';
import { routeTable } from '../../functions/routes.js';
import { DeploymentConfigError, PLACEHOLDER_INCIDENT_CONTACT, queueConsumers, readDeploymentConfig } from '../../infra/config.js';
import { synthesized } from './support.js';
import { incidentEnvironment as incidentEnvironmentOf } from '../../infra/constructs/incident-grants.js';

/** BR-1 to BR-4 and SEC-6 as deployed: the incident and security functions, the incident-work queue, the audit stream, the deadline job, their alarms. */
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
const queuesNamed = (prefix: string) =>
  (Object.entries(t.events.findResources('AWS::SQS::Queue')) as Array<[string, { Properties: any }]>).filter(([, q]) => String(q.Properties.QueueName).startsWith(prefix));
const tableData = ['dynamodb:BatchGetItem', 'dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'];
const incidentEnvironment = { INCIDENT_CONTACT: PLACEHOLDER_INCIDENT_CONTACT, INCIDENT_OPERATOR_TYPE: 'ordinary', DRILL_SINK: 'log' };

describe('incidents and security functions', () => {
  it('serve the incidents and security contexts of the route table', () => {
    const contexts = new Set(routeTable.map((r) => r.context));
    expect(contexts.has('incidents') && contexts.has('security'), 'the route table names both contexts').toBe(true);
    const names = (Object.values(t.api.findResources('AWS::Lambda::Function')) as Array<{ Properties: any }>).map((f) => f.Properties.FunctionName);
    expect(names).toEqual(expect.arrayContaining(['kehu-test-incidents', 'kehu-test-security']));
  });

  it('let incidents make and open their own data keys only, never a customer\'s, publish, and never notify or delete', () => {
    const statements = statementsOf(t.api, 'Incidents');
    expect([...new Set(actionsOn(statements, /DataTable/))].sort()).toEqual(tableData);
    expect(actionsOn(statements, /KeysTable/).sort()).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    const direct = onApplicationKey(statements);
    const keyMaking = direct.filter((s) => [s.Action].flat().includes('kms:GenerateDataKey'));
    expect(keyMaking).toHaveLength(1);
    expect(keyMaking[0]!.Condition).toEqual({
      'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'customerId'] },
      StringEquals: { 'kms:EncryptionContext:purpose': 'customer-data' },
      StringLike: { 'kms:EncryptionContext:customerId': 'incident:*' },
    });
    // The other use: the blind-index key, which keys the idempotency records of creates.
    const others = direct.filter((s) => s !== keyMaking[0]);
    expect(others.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(others[0]!.Condition!.StringEquals).toEqual({ 'kms:EncryptionContext:purpose': 'blind-index' });
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['events:PutEvents', 'kms:GenerateMac']));
    expect(all.filter((a) => /^(ses|sns):/.test(a))).toEqual([]);
    expect(all).not.toContain('dynamodb:DeleteItem');
    expect(variablesOf(t.api, 'kehu-test-incidents')).toMatchObject({ ...incidentEnvironment, EVENT_BUS_NAME: expect.anything() });
  });

  it('let security read findings through gsi1 only, with no key, no events, no notifier and no writes', () => {
    const statements = statementsOf(t.api, 'Security');
    const onData = statements.filter((s) => JSON.stringify(s.Resource).includes('DataTable'));
    expect(onData.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query']);
    expect([...JSON.stringify(onData.map((s) => s.Resource)).matchAll(/\/index\/(gsi\d)/g)].map((m) => m[1])).toEqual(['gsi1']);
    expect(actionsOn(statements, /KeysTable/)).toEqual([]);
    expect(onApplicationKey(statements)).toEqual([]);
    const all = actionsOf(statements);
    expect(all).toContain('kms:GenerateMac');
    expect(all.filter((a) => /^(ses|sns|events):/.test(a))).toEqual([]);
  });
});

describe('incident work', () => {
  it('routes scope pages, notification pages and queued notices to their own queue with a DLQ after 5 receives, consumed with partial batch failures', () => {
    const queues = queuesNamed('kehu-test-incident-work');
    expect(queues.map(([, q]) => q.Properties.QueueName).sort()).toEqual(['kehu-test-incident-work', 'kehu-test-incident-work-dlq']);
    const [queueId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-incident-work')!;
    const [dlqId] = queues.find(([, q]) => q.Properties.QueueName === 'kehu-test-incident-work-dlq')!;
    t.events.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'kehu-test-incident-work', RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 } });
    // The consumer counts a notice failed on the receive after which the queue gives up on it.
    expect(INCIDENT_WORK_MAX_RECEIVES).toBe(5);
    t.events.hasResourceProperties('AWS::Events::Rule', {
      Name: 'kehu-test-incident-work',
      EventPattern: { source: ['kehu'], 'detail-type': ['IncidentScopePage', 'IncidentNotificationPage', 'IncidentNotificationQueued'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } } })],
    });
    t.events.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^IncidentWorkConsumer') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(queueConsumers).toContain('incident-work');
  });

  it('let the consumer read the trail by actor, unwrap keys, publish, mail and text, never delete', () => {
    const statements = statementsOf(t.events, 'IncidentWorkConsumer');
    expect([...new Set(actionsOn(statements, /DataTable/))].sort()).toEqual(tableData);
    expect(actionsOn(statements, /KeysTable/)).toEqual(['dynamodb:GetItem']);
    const direct = onApplicationKey(statements);
    expect(direct.flatMap((s) => [s.Action].flat())).toEqual(['kms:Decrypt']);
    expect(direct[0]!.Condition!['ForAllValues:StringEquals']).toEqual({ 'kms:EncryptionContextKeys': ['purpose', 'customerId'] });
    const byActor = statements.filter((s) => JSON.stringify(s.Resource).includes('AuditTable') && JSON.stringify(s.Resource).includes('/index/'));
    expect(byActor.map((s) => [s.Action, JSON.stringify(s.Resource).match(/\/index\/(gsi\d)/)?.[1]])).toEqual([['dynamodb:Query', 'gsi2']]);
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['events:PutEvents', 'ses:SendEmail', 'sns:Publish', 'kms:GenerateMac']));
    expect(all).not.toContain('dynamodb:DeleteItem');
    expect(variablesOf(t.events, 'kehu-test-incident-work')).toMatchObject({ ...incidentEnvironment, POWERTOOLS_SERVICE_NAME: 'incident-work', NOTIFY_FROM_ADDRESS: 'no-reply@example.com' });
  });
});

describe('audit stream', () => {
  it('gives the audit table, and only it, a stream of new images', () => {
    const tables = Object.values(t.data.findResources('AWS::DynamoDB::Table')) as Array<{ Properties: any }>;
    const streams = Object.fromEntries(tables.map((table) => [table.Properties.TableName, table.Properties.StreamSpecification]));
    expect(streams).toEqual({ 'kehu-test-data': undefined, 'kehu-test-keys': undefined, 'kehu-test-audit': { StreamViewType: 'NEW_IMAGE' } });
  });

  it('feeds new chain entries to the detector in batches, splitting and retrying failures, then describing them in an encrypted DLQ', () => {
    const [dlqId, dlq] = queuesNamed('kehu-test-audit-stream-dlq')[0]!;
    expect(dlq.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const mappings = (Object.values(t.events.findResources('AWS::Lambda::EventSourceMapping')) as Array<{ Properties: any }>).filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes('AuditStreamConsumer'),
    );
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]!.Properties;
    expect(JSON.stringify(mapping.EventSourceArn)).toMatch(/AuditTable.*StreamArn/);
    expect(mapping).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 6 * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    // Below the stream's 24 hours: a batch given up on can still be read back.
    expect(mapping.MaximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    expect(mapping.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'CHAIN#' }] } } } },
    ]);
  });

  it('let the detector read the stream, count and raise findings, open draft incidents, and never send anything or delete', () => {
    const statements = statementsOf(t.events, 'AuditStreamConsumer');
    const onStream = statements.filter((s) => /StreamArn/.test(JSON.stringify(s.Resource)));
    expect(onStream.flatMap((s) => [s.Action].flat()).sort()).toEqual(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams']);
    // The stream grants name its ARN, nothing wider.
    for (const s of onStream) expect([s.Resource].flat()).toHaveLength(1);
    expect([...new Set(actionsOn(statements, /DataTable/))].sort()).toEqual(tableData);
    expect(actionsOn(statements, /KeysTable/).sort()).toEqual(['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    const direct = onApplicationKey(statements);
    expect(direct).toHaveLength(1);
    expect(direct[0]!.Condition!.StringLike).toEqual({ 'kms:EncryptionContext:customerId': 'incident:*' });
    const all = actionsOf(statements);
    expect(all).toEqual(expect.arrayContaining(['events:PutEvents', 'kms:GenerateMac', 'sqs:SendMessage']));
    expect(all.filter((a) => /^(ses|sns):/.test(a)), 'the detector sends no mail or text').toEqual([]);
    expect(all).not.toContain('dynamodb:DeleteItem');
    expect(variablesOf(t.events, 'kehu-test-audit-stream')).not.toHaveProperty('NOTIFY_FROM_ADDRESS');
    // Its own entries may be appended, never changed.
    const denied = statements.filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action].flat());
    expect(denied).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
  });
});

describe('incident deadlines job', () => {
  it('runs every 5 minutes through the jobs queue, with its DLQ, and the jobs function knows the incident settings', () => {
    const found = (Object.values(t.events.findResources('AWS::Scheduler::Schedule')) as Array<{ Properties: any }>).find((x) => x.Properties.Name === 'kehu-test-incident-deadlines');
    expect(found?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(JSON.parse(found!.Properties.Target.Input)).toEqual({ job: 'incident-deadlines' });
    expect(found!.Properties.Target.DeadLetterConfig).toBeDefined();
    expect(JSON.stringify(found!.Properties.Target.Arn)).toMatch(/Jobs/);
    expect(variablesOf(t.events, 'kehu-test-jobs')).toMatchObject(incidentEnvironment);
  });

  it('reads the incident settings from context, failing synth on a bad one', () => {
    const read = (context: Record<string, unknown>) => readDeploymentConfig((k) => context[k], {});
    expect(read({ 'kehu:incidentContact': 'dpo@example.com', 'kehu:incidentOperatorType': 'critical-infrastructure' })).toMatchObject({
      incidentContact: 'dpo@example.com',
      incidentOperatorType: 'critical-infrastructure',
    });
    expect(read({})).toMatchObject({ incidentContact: PLACEHOLDER_INCIDENT_CONTACT, incidentOperatorType: 'ordinary' });
    expect(() => read({ 'kehu:incidentOperatorType': 'bank' })).toThrow(DeploymentConfigError);
    expect(() => read({ 'kehu:incidentOperatorType': 'bank' })).toThrow('kehu:incidentOperatorType');
    expect(() => read({ 'kehu:incidentContact': 'x' })).toThrow('kehu:incidentContact');
  });

  it('passes detector thresholds through as SECURITY_THRESHOLDS once they parse', () => {
    const read = (context: Record<string, unknown>) => readDeploymentConfig((k) => context[k], {});
    const thresholds = '{"readsPerHourMin": 300, "drillActors": ["drill-1"]}';
    const config = read({ 'kehu:securityThresholds': thresholds });
    expect(config.securityThresholds).toBe(thresholds);
    expect(incidentEnvironmentOf(config).SECURITY_THRESHOLDS).toBe(thresholds);
    expect(incidentEnvironmentOf(read({}))).not.toHaveProperty('SECURITY_THRESHOLDS');
    expect(() => read({ 'kehu:securityThresholds': '{"readsPerHourMin": -1}' })).toThrow('kehu:securityThresholds');
    expect(() => read({ 'kehu:securityThresholds': 'loud' })).toThrow('kehu:securityThresholds');
  });
});

describe('incident and security alarms and dashboard', () => {
  it.each([
    ['IncidentDeadlineAtRisk', 'IncidentDeadlinesElapsed', 'jobs', [{ Name: 'Fraction', Value: '90%' }]],
    ['IncidentDeadlinePassed', 'IncidentDeadlinesPast', 'jobs', []],
  ])('%s alarms on the first deadline the job gauges, across two runs', (name, metric, service, extra) => {
    const alarm = alarmNamed(name);
    expect(alarm?.Properties).toMatchObject({ Namespace: 'Kehu', MetricName: metric, Statistic: 'Maximum', Period: 600, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm!.Properties.Dimensions).toEqual(expect.arrayContaining([{ Name: 'service', Value: service }, ...extra]));
    expect(alarm!.Properties.Dimensions).toHaveLength(1 + extra.length);
  });

  it.each([
    ['IncidentNotificationsFailed', 'incident-work'],
    ['SecurityFindingsHigh', 'audit-stream'],
  ])('%s alarms on the first one counted', (name, service) => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `kehu-test-${name}`,
      Namespace: 'Kehu',
      MetricName: name,
      Dimensions: [{ Name: 'service', Value: service }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when audit entries rise above the band anomaly detection expects', () => {
    const alarm = alarmNamed('AuditEntriesAnomalous')!.Properties;
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanUpperThreshold', EvaluationPeriods: 3, TreatMissingData: 'notBreaching' });
    const band = (alarm.Metrics as Array<{ Id: string; Expression?: string }>).find((m) => m.Expression);
    expect(band!.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(\w+, ?3\)$/);
    expect(alarm.ThresholdMetricId).toBe(band!.Id);
    expect(JSON.stringify(alarm.Metrics)).toContain('"MetricName":"AuditEntriesObserved"');
    expect(alarm.AlarmActions).toHaveLength(1);
  });

  it('alarms on the first message in the incident-work DLQ and in the audit stream\'s failure queue', () => {
    for (const [name, construct] of [
      ['DeadLetters5', /IncidentWorkDeadLetters/],
      ['DeadLetters6', /AuditStreamFailures/],
    ] as const) {
      const dlq = alarmNamed(name);
      expect(dlq?.Properties, name).toMatchObject({ Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1 });
      expect(JSON.stringify(dlq!.Properties.Dimensions)).toMatch(construct);
    }
  });

  it('alarms on errors and throttles of the four new functions', () => {
    for (const fn of ['Incidents', 'Security', 'IncidentWork', 'AuditStream']) {
      for (const kind of ['Errors', 'Throttles']) expect(alarmNamed(`${fn}${kind}`), `${fn}${kind}`).toBeDefined();
    }
  });

  it('shows deadlines, notices sent and failed, audit entries and findings on the dashboard', () => {
    const [dashboard] = Object.values(t.observability.findResources('AWS::CloudWatch::Dashboard')) as Array<{ Properties: any }>;
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const metric of ['IncidentDeadlinesElapsed', 'IncidentDeadlinesPast', 'IncidentNotificationsSent', 'IncidentNotificationsFailed', 'AuditEntriesObserved', 'SecurityFindings', 'SecurityFindingsHigh']) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('ANOMALY_DETECTION_BAND');
  });
});
