import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/http/observability.js';
import { DEPENDENCY_METRICS_SERVICE, INTEGRITY_METRIC } from '../../functions/http/problem.js';
import type { DeploymentConfig } from '../config.js';

export interface ObservabilityStackProps extends StackProps {
  config: DeploymentConfig;
  api: apigwv2.IHttpApi;
  functions: Record<string, lambda.IFunction>;
  deadLetterQueues: sqs.IQueue[];
}

const FIVE_MINUTES = Duration.minutes(5);
/** Complaint escalations within an hour that raise ComplaintEscalations (docs/operations.md#complaintescalations). */
export const COMPLAINT_ESCALATIONS_PER_HOUR = 10;

/**
 * Alarms and a dashboard over the same figures, and the topic that mails them.
 * docs/operations.md says what each alarm means and what to do.
 */
export class ObservabilityStack extends Stack {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config, api } = props;
    const prefix = `kehu-${config.stage}`;

    const topicKey = new kms.Key(this, 'AlarmTopicKey', {
      alias: `alias/${prefix}-alarms`,
      description: 'Kehu: encrypts the alarm topic',
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // CloudWatch must be able to publish to the encrypted topic.
    topicKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', { topicName: `${prefix}-alarms`, masterKey: topicKey, enforceSSL: true });
    if (config.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));

    /** `whenBelow`: fires when the metric falls under the threshold, or has no data at all (a job that stopped running). */
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold: number, evaluationPeriods = 1, whenBelow = false) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${prefix}-${alarmId}`,
        alarmDescription: `${description} See docs/operations.md#${alarmId.toLowerCase()}.`,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: whenBelow ? cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD : cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: whenBelow ? cloudwatch.TreatMissingData.BREACHING : cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new actions.SnsAction(this.topic));
      created.addOkAction(new actions.SnsAction(this.topic));
      this.alarms.push(created);
      return created;
    };

    const requests = api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrors = api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' });
    const errorRate = new cloudwatch.MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: serverErrors, requests },
      label: 'API 5xx rate (%)',
      period: FIVE_MINUTES,
    });
    const latencyP99 = api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    alarm('Api5xxRate', '1% or more of API requests answered 5xx for 10 minutes.', errorRate, 1, 2);
    alarm('ApiLatencyP99', 'API p99 latency at or above 2 s for 15 minutes.', latencyP99, 2000, 3);

    const functionWidgets: cloudwatch.IWidget[] = [];
    for (const [name, fn] of Object.entries(props.functions)) {
      const errors = fn.metricErrors({ period: FIVE_MINUTES, statistic: 'Sum' });
      const throttles = fn.metricThrottles({ period: FIVE_MINUTES, statistic: 'Sum' });
      alarm(`${pascal(name)}Errors`, `The ${name} function raised errors (uncaught, not 4xx answers).`, errors, 1);
      alarm(`${pascal(name)}Throttles`, `The ${name} function was throttled.`, throttles, 1);
      functionWidgets.push(new cloudwatch.GraphWidget({ title: `${name}: errors and throttles`, left: [errors, throttles], width: 8 }));
    }

    const dlqMetrics = props.deadLetterQueues.map((queue) =>
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    );
    props.deadLetterQueues.forEach((queue, i) =>
      alarm(`DeadLetters${i + 1}`, `A message reached the dead-letter queue ${queue.queueName}: a job or event failed all its retries.`, dlqMetrics[i]!, 1),
    );

    // Powertools metrics carry the function's service name as their dimension.
    const kehuMetric = (metricName: string, service: string, statistic = 'Sum') =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, period: FIVE_MINUTES, statistic, dimensionsMap: { service } });
    // Every function counts dependency failures under one `service` dimension.
    const keyServiceErrors = kehuMetric('KeyServiceErrors', DEPENDENCY_METRICS_SERVICE);
    // DSR-4: warn while a deadline can still be met, and again once one has passed.
    alarm('RequestsDueSoon', 'A data-subject request is due within 3 days and still open.', kehuMetric('RequestsDueSoon', 'jobs', 'Maximum'), 1);
    alarm('RequestsOverdue', 'A data-subject request is past its legal deadline.', kehuMetric('RequestsOverdue', 'jobs', 'Maximum'), 1);
    // DSR-3: an erasure leaves the customer hidden and part-deleted until it finishes.
    // SEC-4: without fresh checkpoints, entries cut from the end of a chain go unseen for longer.
    alarm(
      'AuditCheckpointStale',
      'No audit checkpoint job succeeded for an hour: entries removed from the end of an audit chain since the last checkpoint would go unseen.',
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: 'AuditCheckpointRuns', period: Duration.hours(1), statistic: 'Sum', dimensionsMap: { service: 'jobs' } }),
      1,
      1,
      true,
    );
    alarm('ErasuresStuck', 'An erasure is still unfinished an hour after it started: the customer is hidden, their data and key may remain.', kehuMetric('ErasuresStuck', 'jobs', 'Maximum'), 1);
    alarm('KmsErrors', 'Requests failed because KMS could not wrap or unwrap a data key.', keyServiceErrors, 1);
    const storeErrors = kehuMetric('StoreErrors', DEPENDENCY_METRICS_SERVICE);
    alarm('StoreErrors', 'Requests failed (503) because DynamoDB could not be reached or kept throttling.', storeErrors, 5);
    const downloadStoreErrors = kehuMetric('DownloadStoreErrors', DEPENDENCY_METRICS_SERVICE);
    alarm('DownloadStoreErrors', 'Large documents could not be offered (503): S3 refused or failed to store one or to sign its link.', downloadStoreErrors, 1);
    // Customers who cannot receive a one-time code cannot reach their own data.
    const notifierErrors = kehuMetric('NotifierErrors', DEPENDENCY_METRICS_SERVICE);
    alarm('NotifierErrors', 'One-time codes could not be sent (503): SES or SNS refused or failed.', notifierErrors, 3);
    // Sealed data that does not open was altered in the table, or its key is gone: never noise.
    const integrityFailures = kehuMetric(INTEGRITY_METRIC, DEPENDENCY_METRICS_SERVICE);
    alarm('IntegrityFailures', 'A stored record failed its integrity check: its sealed data would not open (altered in the table, or its data key missing or refused).', integrityFailures, 1);

    // CMP-3: the deadline job (every 5 minutes) counts open complaints past a milestone's
    // deadline; 15 minutes of them is three runs in a row, past the escalation it raised.
    const complaintsOverdue = kehuMetric('ComplaintsOverdue', 'jobs', 'Maximum');
    const complaintsDueSoon = kehuMetric('ComplaintsDueSoon', 'jobs', 'Maximum');
    alarm('ComplaintsOverdue', 'An open complaint has been past a milestone deadline (acknowledge, first response, resolve or follow-up) for 15 minutes.', complaintsOverdue, 1, 3);
    // Escalations per hour: a few are the process working; a burst means a queue nobody works or a policy limit set too short.
    const escalationsPerHour = (metricName: string, service: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, period: Duration.hours(1), statistic: 'Sum', dimensionsMap: { service } });
    const complaintEscalations = escalationsPerHour('ComplaintEscalations', 'jobs');
    const escalationsAnnounced = escalationsPerHour('ComplaintEscalationsAnnounced', 'complaint-escalations');
    const escalationsUnaddressed = escalationsPerHour('ComplaintEscalationsUnaddressed', 'complaint-escalations');
    alarm('ComplaintEscalations', `${COMPLAINT_ESCALATIONS_PER_HOUR} or more complaint escalations raised within an hour.`, complaintEscalations, COMPLAINT_ESCALATIONS_PER_HOUR);

    // SAT-2: an invitation counted failed will not be sent: the notifier refused it on its last
    // receive (its message then rests in the survey-dispatch DLQ, DeadLetters4), a send was
    // interrupted, or the customer lost every contact or was erased since selection.
    const invitationsSent = kehuMetric('SurveyInvitationsSent', 'survey-dispatch');
    const invitationsFailed = kehuMetric('SurveyInvitationsFailed', 'survey-dispatch');
    const dispatchPages = kehuMetric('SurveyDispatchPages', 'survey-dispatch');
    const dispatchesResumed = kehuMetric('SurveyDispatchesResumed', 'jobs');
    alarm('SurveyInvitationsFailed', 'A survey invitation was counted failed: it could not be sent after all its retries, its send was interrupted, or its customer has no contact left.', invitationsFailed, 1);
    // SAT-3, AN-3: the hourly count of flags open past kehu:riskFlagHandleHours; an hour's
    // period keeps the alarm in ALARM from one count to the next.
    const riskFlagsUnhandled = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: 'RiskFlagsUnhandled',
      period: Duration.hours(1),
      statistic: 'Maximum',
      dimensionsMap: { service: 'jobs' },
    });
    alarm('RiskFlagsUnhandled', `A risk flag has been open for more than ${config.riskFlagHandleHours} hours without its call back.`, riskFlagsUnhandled, 1);

    // BR-2: the incident-deadlines job (every 5 minutes) gauges the legal deadlines of unclosed
    // incidents: how many have used 90% of their time, and how many passed unmet. A 10-minute
    // period spans two runs, so the alarm does not flap between them.
    const deadlineGauge = (metricName: string, dimensions: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, period: Duration.minutes(10), statistic: 'Maximum', dimensionsMap: { service: 'jobs', ...dimensions } });
    const deadlinesHalf = deadlineGauge('IncidentDeadlinesElapsed', { Fraction: '50%' });
    const deadlinesAtRisk = deadlineGauge('IncidentDeadlinesElapsed', { Fraction: '90%' });
    const deadlinesPast = deadlineGauge('IncidentDeadlinesPast');
    const deadlineAlerts = kehuMetric('IncidentDeadlineAlerts', 'jobs');
    alarm('IncidentDeadlineAtRisk', 'A legal deadline of an open incident (authority report or notice to individuals) has used 90% or more of its time and is not met.', deadlinesAtRisk, 1);
    alarm('IncidentDeadlinePassed', 'A legal deadline of an open incident has passed unmet and unexplained.', deadlinesPast, 1);
    // BR-3: a notice counted failed will not reach its customer (the incident-work DLQ holds its last attempt).
    const noticesSent = kehuMetric('IncidentNotificationsSent', 'incident-work');
    const noticesFailed = kehuMetric('IncidentNotificationsFailed', 'incident-work');
    alarm('IncidentNotificationsFailed', 'A breach notice to an affected customer was counted failed: refused after all its retries, or its send interrupted.', noticesFailed, 1);
    // SEC-6: the detector's findings; at level high it opens a draft incident.
    const entriesObserved = kehuMetric('AuditEntriesObserved', 'audit-stream');
    const findings = kehuMetric('SecurityFindings', 'audit-stream');
    const findingsHigh = kehuMetric('SecurityFindingsHigh', 'audit-stream');
    alarm('SecurityFindingsHigh', 'The unusual-access detector raised a finding at level high (a draft incident is opened for it).', findingsHigh, 1);
    // Far more audit entries than usual for the hour and weekday, whoever writes them: a bulk
    // read the detector's per-actor rules split across many actors, or a runaway job. Three
    // periods in a row above a band of 3 standard deviations, learnt by CloudWatch.
    const entriesAnomalous = new cloudwatch.AnomalyDetectionAlarm(this, 'AuditEntriesAnomalous', {
      alarmName: `${prefix}-AuditEntriesAnomalous`,
      alarmDescription:
        'Audit entries written in 15 minutes were above the band CloudWatch expects for the time of day and week. See docs/operations.md#auditentriesanomalous.',
      metric: entriesObserved,
      stdDevs: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_UPPER_THRESHOLD,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    entriesAnomalous.addAlarmAction(new actions.SnsAction(this.topic));
    entriesAnomalous.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(entriesAnomalous);

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests and 5xx', left: [requests, serverErrors], right: [errorRate], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'API latency p99 (ms)', left: [latencyP99], width: 12 }),
        ],
        functionWidgets,
        [
          new cloudwatch.GraphWidget({ title: 'Dead-letter queues (messages)', left: dlqMetrics, width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Key service, DynamoDB, download and notifier errors', left: [keyServiceErrors, storeErrors, downloadStoreErrors, notifierErrors, integrityFailures], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Reviews and data-subject requests due',
            left: [kehuMetric('CustomersDueForReview', 'jobs', 'Maximum')],
            right: [kehuMetric('RequestsDueSoon', 'jobs', 'Maximum'), kehuMetric('RequestsOverdue', 'jobs', 'Maximum')],
            width: 8,
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Complaints overdue and due within an hour', left: [complaintsOverdue, complaintsDueSoon], width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Complaint escalations raised and announced (per hour)', left: [complaintEscalations, escalationsAnnounced, escalationsUnaddressed], width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Survey invitations sent and failed', left: [invitationsSent, invitationsFailed], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Survey dispatch pages and resumed dispatches', left: [dispatchPages], right: [dispatchesResumed], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Risk flags unhandled (hourly count)', left: [riskFlagsUnhandled], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Incident deadlines at 50% and 90% of their time, passed unmet',
            left: [deadlinesHalf, deadlinesAtRisk, deadlinesPast],
            right: [deadlineAlerts],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Breach notices sent and failed', left: [noticesSent, noticesFailed], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'Audit entries observed (with expected band), security findings',
            left: [entriesObserved, new cloudwatch.MathExpression({ expression: 'ANOMALY_DETECTION_BAND(m1, 3)', usingMetrics: { m1: entriesObserved }, label: 'expected', period: FIVE_MINUTES })],
            right: [findings, findingsHigh],
            width: 8,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase());
