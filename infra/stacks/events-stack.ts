import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { JobMessage } from '../../functions/jobs/handler.js';
import type { DeploymentConfig } from '../config.js';
import { KehuFunction } from '../constructs/function.js';
import { DurableQueue } from '../constructs/queue.js';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { grantAudit, grantAuditCheckpoints, grantRetention } from '../constructs/grants.js';
import { grantComplaintAnnouncements, grantComplaintDeadlines } from '../constructs/complaint-grants.js';
import { grantSurveyDispatch, grantSurveyJobs } from '../constructs/survey-grants.js';
import { grantAuditStream, grantIncidentWork, incidentEnvironment } from '../constructs/incident-grants.js';

export interface EventsStackProps extends StackProps {
  config: DeploymentConfig;
  tablePrefix: string;
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  auditTable: dynamodb.ITable;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
  /** The HMAC key the audit trail's key is derived from. */
  auditKey: kms.IKey;
  /** Where the audit checkpoint job adds its checkpoints (Object Lock). */
  auditCheckpointBucketName: string;
}

/** The events the incident-work queue receives (its consumer: functions/incident-work/handler.ts). */
export const INCIDENT_WORK_EVENTS = ['IncidentScopePage', 'IncidentNotificationPage', 'IncidentNotificationQueued'] as const;

/**
 * Asynchronous work: the domain-event bus, and scheduled jobs that go through a queue
 * (with its DLQ) to their consumer. Later contexts add their queues with `DurableQueue`
 * and their schedules beside the review reminders.
 */
export class EventsStack extends Stack {
  readonly bus: events.EventBus;
  readonly jobs: DurableQueue;
  readonly jobsFunction: NodejsFunction;
  readonly erasures: DurableQueue;
  readonly erasureFunction: NodejsFunction;
  readonly complaintEscalations: DurableQueue;
  readonly complaintEscalationsFunction: NodejsFunction;
  readonly surveyDispatch: DurableQueue;
  readonly surveyDispatchFunction: NodejsFunction;
  readonly incidentWork: DurableQueue;
  readonly incidentWorkFunction: NodejsFunction;
  /** Where the audit stream's mapping describes the batches it gave up on. */
  readonly auditStreamFailures: sqs.Queue;
  readonly auditStreamFunction: NodejsFunction;
  readonly deadLetterQueues: sqs.IQueue[];

  constructor(scope: Construct, id: string, props: EventsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    // Domain events carry ids and codes only. Every one is archived for a year: an
    // accountable record of consent decisions that can be replayed to a new consumer.
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `kehu-${config.stage}` });
    this.bus.archive('Archive', {
      archiveName: `kehu-${config.stage}-events`,
      description: 'Every Kehu domain event (ids only), for replay',
      eventPattern: { source: ['kehu'] },
      retention: Duration.days(365),
    });

    const consumerTimeout = Duration.minutes(2);
    this.jobs = new DurableQueue(this, 'Jobs', {
      queueName: `kehu-${config.stage}-jobs`,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      maxReceiveCount: 3,
      removalPolicy,
    });
    // Approved erasures: the rule routes the event to a queue whose consumer erases (DSR-3).
    this.erasures = new DurableQueue(this, 'Erasures', {
      queueName: `kehu-${config.stage}-erasures`,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      maxReceiveCount: 5,
      removalPolicy,
    });
    new events.Rule(this, 'ErasureApprovedRule', {
      ruleName: `kehu-${config.stage}-erasure-approved`,
      eventBus: this.bus,
      eventPattern: { source: ['kehu'], detailType: ['ErasureApproved', 'RetentionExpired'] },
      targets: [new eventTargets.SqsQueue(this.erasures.queue, { deadLetterQueue: this.erasures.deadLetterQueue })],
    });
    this.erasureFunction = new KehuFunction(this, 'ErasureConsumer', {
      context: 'erasure',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: { TABLE_PREFIX: props.tablePrefix, KEY_PROVIDER: 'kms', KMS_KEY_ID: props.applicationKey.keyArn },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency.erasure,
      invokedBy: 'queue',
    }).function;
    this.erasureFunction.addEventSource(new SqsEventSource(this.erasures.queue, { batchSize: 1, reportBatchItemFailures: true }));
    const table = props.dataTable.tableArn;
    this.erasureFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
        // gsi3: a customer's requests (closed by the erasure) and the erasure's own run.
        resources: [table, `${table}/index/gsi1`, `${table}/index/gsi2`, `${table}/index/gsi3`],
      }),
    );
    // The only function that may delete a data key; it reads the blind-index key for pseudonyms.
    this.erasureFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], resources: [props.keysTable.tableArn] }),
    );
    this.erasureFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [props.applicationKey.keyArn],
        conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'blind-index' } },
      }),
    );
    this.erasureFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [props.storageKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
      }),
    );
    grantAudit(this.erasureFunction, props, 'append');

    // CMP-3: each escalation the deadline job raises is announced to the staff it names, once.
    this.complaintEscalations = new DurableQueue(this, 'ComplaintEscalations', {
      queueName: `kehu-${config.stage}-complaint-escalations`,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      maxReceiveCount: 5,
      removalPolicy,
    });
    new events.Rule(this, 'ComplaintEscalatedRule', {
      ruleName: `kehu-${config.stage}-complaint-escalated`,
      eventBus: this.bus,
      eventPattern: { source: ['kehu'], detailType: ['ComplaintEscalated'] },
      targets: [new eventTargets.SqsQueue(this.complaintEscalations.queue, { deadLetterQueue: this.complaintEscalations.deadLetterQueue })],
    });
    this.complaintEscalationsFunction = new KehuFunction(this, 'ComplaintEscalationsConsumer', {
      context: 'complaint-escalations',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: { TABLE_PREFIX: props.tablePrefix, KEY_PROVIDER: 'kms', KMS_KEY_ID: props.applicationKey.keyArn },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency['complaint-escalations'],
      invokedBy: 'queue',
    }).function;
    this.complaintEscalationsFunction.addEventSource(new SqsEventSource(this.complaintEscalations.queue, { batchSize: 10, reportBatchItemFailures: true }));
    grantComplaintAnnouncements(this.complaintEscalationsFunction, props, config.notifyFromAddress);

    // SAT-2: a dispatch pages through its audience one event at a time, and each invitation
    // it queues is delivered once; both kinds of event share the queue and its consumer.
    this.surveyDispatch = new DurableQueue(this, 'SurveyDispatch', {
      queueName: `kehu-${config.stage}-survey-dispatch`,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      // The consumer marks an invitation failed on this receive (SURVEY_DISPATCH_MAX_RECEIVES).
      maxReceiveCount: 5,
      removalPolicy,
    });
    new events.Rule(this, 'SurveyDispatchRule', {
      ruleName: `kehu-${config.stage}-survey-dispatch`,
      eventBus: this.bus,
      eventPattern: { source: ['kehu'], detailType: ['SurveyDispatchPage', 'SurveyInvitationQueued'] },
      targets: [new eventTargets.SqsQueue(this.surveyDispatch.queue, { deadLetterQueue: this.surveyDispatch.deadLetterQueue })],
    });
    this.surveyDispatchFunction = new KehuFunction(this, 'SurveyDispatchConsumer', {
      context: 'survey-dispatch',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: {
        TABLE_PREFIX: props.tablePrefix,
        KEY_PROVIDER: 'kms',
        KMS_KEY_ID: props.applicationKey.keyArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        SURVEY_LINK_BASE: config.surveyLinkBase,
      },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency['survey-dispatch'],
      invokedBy: 'queue',
    }).function;
    // Pages publish the next page at their end, so a batch rarely holds two pages of one dispatch.
    this.surveyDispatchFunction.addEventSource(new SqsEventSource(this.surveyDispatch.queue, { batchSize: 10, reportBatchItemFailures: true }));
    grantSurveyDispatch(this.surveyDispatchFunction, { ...props, bus: this.bus }, config.notifyFromAddress);
    // Reading a customer's contact for the invitation is recorded in the trail.
    grantAudit(this.surveyDispatchFunction, props, 'append');

    // BR-1, BR-3: an incident's scope run and its notification run page through their
    // sources one event at a time, and each notice queued is delivered once; all three kinds
    // of event share the queue and its consumer, as the survey dispatch does.
    this.incidentWork = new DurableQueue(this, 'IncidentWork', {
      queueName: `kehu-${config.stage}-incident-work`,
      visibilityTimeout: Duration.seconds(consumerTimeout.toSeconds() * 6),
      // The consumer marks a notice failed on this receive (INCIDENT_WORK_MAX_RECEIVES).
      maxReceiveCount: 5,
      removalPolicy,
    });
    new events.Rule(this, 'IncidentWorkRule', {
      ruleName: `kehu-${config.stage}-incident-work`,
      eventBus: this.bus,
      eventPattern: { source: ['kehu'], detailType: [...INCIDENT_WORK_EVENTS] },
      targets: [new eventTargets.SqsQueue(this.incidentWork.queue, { deadLetterQueue: this.incidentWork.deadLetterQueue })],
    });
    this.incidentWorkFunction = new KehuFunction(this, 'IncidentWorkConsumer', {
      context: 'incident-work',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: {
        TABLE_PREFIX: props.tablePrefix,
        KEY_PROVIDER: 'kms',
        KMS_KEY_ID: props.applicationKey.keyArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        ...incidentEnvironment(config),
      },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency['incident-work'],
      invokedBy: 'queue',
    }).function;
    this.incidentWorkFunction.addEventSource(new SqsEventSource(this.incidentWork.queue, { batchSize: 10, reportBatchItemFailures: true }));
    grantIncidentWork(this.incidentWorkFunction, { ...props, bus: this.bus }, config.notifyFromAddress);

    // SEC-6: every new audit entry reaches the unusual-access detector through the audit
    // table's stream, in batches of up to 500 gathered for up to 10 seconds (the detector
    // adds one count per subject and hour per batch). A failing batch is split in two until
    // the failing entry is alone, retried 5 times, then described (shard and sequence
    // numbers, no content) in an encrypted queue that alarms.
    const auditStreamArn = props.auditTable.tableStreamArn;
    if (!auditStreamArn) throw new Error('The audit table has no stream: shared/platform/store/tables.ts must give it `stream: NEW_IMAGE`.');
    this.auditStreamFailures = new sqs.Queue(this, 'AuditStreamFailures', {
      queueName: `kehu-${config.stage}-audit-stream-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.auditStreamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "It is itself a dead-letter queue: the on-failure destination of the audit stream's event source mapping, which Lambda writes to after the mapping's retries. Nothing consumes it; its first message raises an alarm.",
    });
    this.auditStreamFunction = new KehuFunction(this, 'AuditStreamConsumer', {
      context: 'audit-stream',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: {
        TABLE_PREFIX: props.tablePrefix,
        KEY_PROVIDER: 'kms',
        KMS_KEY_ID: props.applicationKey.keyArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        ...incidentEnvironment(config),
      },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency['audit-stream'],
      invokedBy: 'stream',
    }).function;
    new lambda.EventSourceMapping(this, 'AuditStreamMapping', {
      target: this.auditStreamFunction,
      eventSourceArn: auditStreamArn,
      // From the oldest entry the stream holds: a new mapping (or one re-created) misses nothing.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 500,
      maxBatchingWindow: Duration.seconds(10),
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: 5,
      // The stream keeps entries 24 hours: older than this, a batch goes to the failure queue
      // while the entries can still be read back (docs/operations.md#deadletters6).
      maxRecordAge: Duration.hours(6),
      onFailure: new SqsDlq(this.auditStreamFailures),
      // Only new entries of the chains: the trail is append-only, and other items (none today) are not entries.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: { NewImage: { pk: { S: lambda.FilterRule.beginsWith('CHAIN#') } } },
        }),
      ],
    });
    grantAuditStream(this.auditStreamFunction, { ...props, bus: this.bus, auditStreamArn });

    this.deadLetterQueues = [
      this.jobs.deadLetterQueue,
      this.erasures.deadLetterQueue,
      this.complaintEscalations.deadLetterQueue,
      this.surveyDispatch.deadLetterQueue,
      this.incidentWork.deadLetterQueue,
      this.auditStreamFailures,
    ];

    this.jobsFunction = new KehuFunction(this, 'JobsConsumer', {
      context: 'jobs',
      stage: config.stage,
      timeout: consumerTimeout,
      environment: {
        TABLE_PREFIX: props.tablePrefix,
        KEY_PROVIDER: 'kms',
        KMS_KEY_ID: props.applicationKey.keyArn,
        EVENT_BUS_NAME: this.bus.eventBusName,
        RISK_FLAG_HANDLE_HOURS: String(config.riskFlagHandleHours),
        // The incident-deadlines job measures deadlines and resumes stalled incident work.
        ...incidentEnvironment(config),
      },
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency.jobs,
      invokedBy: 'queue',
    }).function;
    // The daily retention sweep runs here.
    grantRetention(this.jobsFunction, { ...props, bus: this.bus });
    this.jobsFunction.addEventSource(new SqsEventSource(this.jobs.queue, { batchSize: 10, reportBatchItemFailures: true }));
    // Review reminders read the review index only: no personal field, no application key.
    this.jobsFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.dataTable.tableArn}/index/gsi2`] }),
    );
    this.jobsFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [props.storageKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
      }),
    );

    // SEC-4: the audit checkpoint job reads every chain's head (the retention grant covers the
    // audit table and key) and adds a checkpoint to the bucket.
    grantAuditCheckpoints(this.jobsFunction, s3.Bucket.fromBucketName(this, 'AuditCheckpoints', props.auditCheckpointBucketName), props.storageKey, 'write');
    // CMP-3: the complaint deadline job (its events go on the bus the retention grant allows).
    grantComplaintDeadlines(this.jobsFunction, props, config.notifyFromAddress);
    // SAT-1, SAT-3: quarterly waves and stalled dispatches, and the count of unhandled risk flags.
    grantSurveyJobs(this.jobsFunction, props);

    const job = (name: JobMessage['job']) => scheduler.ScheduleTargetInput.fromObject({ job: name } satisfies JobMessage);
    new scheduler.Schedule(this, 'RequestDeadlines', {
      scheduleName: `kehu-${config.stage}-request-deadlines`,
      description: 'Counts data-subject requests due within 3 days or overdue (DSR-4)',
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(6)),
      target: new targets.SqsSendMessage(this.jobs.queue, {
        input: job('request-deadlines'),
        deadLetterQueue: this.jobs.deadLetterQueue,
        retryAttempts: 3,
      }),
    });
    // DSR-3: an erasure that stopped making progress is handed on again within minutes.
    new scheduler.Schedule(this, 'ResumeErasures', {
      scheduleName: `kehu-${config.stage}-resume-erasures`,
      description: 'Hands on again erasures without progress for 15 minutes; counts those unfinished after an hour (DSR-3)',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('resume-erasures'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    // CMP-3: milestones are checked in business minutes; five keeps a missed deadline's
    // escalation within minutes of it without a schedule per complaint.
    new scheduler.Schedule(this, 'ComplaintDeadlines', {
      scheduleName: `kehu-${config.stage}-complaint-deadlines`,
      description: 'Marks missed complaint milestones, escalates and retries customer notices; counts overdue and due soon (CMP-3)',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('complaint-deadlines'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    // SAT-1: a quarter's wave starts within the hour of the quarter's start, and a dispatch
    // whose page event was lost (no progress for 15 minutes) is handed on again.
    new scheduler.Schedule(this, 'SurveyWaves', {
      scheduleName: `kehu-${config.stage}-survey-waves`,
      description: 'Starts the due quarterly survey waves and resumes stalled dispatches (SAT-1, SAT-2)',
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('survey-waves'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    // SAT-3, AN-3: a flag is due for its call back within hours, so an hourly count suffices.
    new scheduler.Schedule(this, 'UnhandledRiskFlags', {
      scheduleName: `kehu-${config.stage}-risk-flags-unhandled`,
      description: 'Counts open risk flags not handled within the configured hours (SAT-3, AN-3)',
      schedule: scheduler.ScheduleExpression.rate(Duration.hours(1)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('risk-flags'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    // BR-2: the tightest clock is China's 1-hour first report (4 hours for most operators);
    // every 5 minutes announces each fraction of a deadline within minutes of reaching it.
    // The job reads the unclosed index (gsi2) and re-saves an incident with its alerts under
    // a version condition (its text re-sealed under the incident's key), which the complaint
    // and survey grants above already allow: the same tables, indexes and key use.
    new scheduler.Schedule(this, 'IncidentDeadlines', {
      scheduleName: `kehu-${config.stage}-incident-deadlines`,
      description: 'Measures the legal deadlines of unclosed incidents, announces those at 50, 90 and 100% of their time, resumes stalled scope and notification runs (BR-2)',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(5)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('incident-deadlines'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    // SEC-4: what was appended since the last checkpoint is the window in which removing the
    // newest entries of a chain goes unseen; every 15 minutes keeps it short.
    new scheduler.Schedule(this, 'AuditCheckpoint', {
      scheduleName: `kehu-${config.stage}-audit-checkpoint`,
      description: "Anchors every audit chain's head in the Object Lock bucket (SEC-4)",
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(15)),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('audit-checkpoint'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    new scheduler.Schedule(this, 'RetentionSweep', {
      scheduleName: `kehu-${config.stage}-retention-sweep`,
      description: 'Destroys data past its retention period (RET-2)',
      schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '30' }),
      target: new targets.SqsSendMessage(this.jobs.queue, { input: job('retention-sweep'), deadLetterQueue: this.jobs.deadLetterQueue, retryAttempts: 3 }),
    });
    new scheduler.Schedule(this, 'ReviewReminders', {
      scheduleName: `kehu-${config.stage}-review-reminders`,
      description: 'Daily count of customer records due for review (CR-5)',
      schedule: scheduler.ScheduleExpression.cron({ hour: '6', minute: '0' }),
      target: new targets.SqsSendMessage(this.jobs.queue, {
        input: job('review-reminders'),
        deadLetterQueue: this.jobs.deadLetterQueue,
        retryAttempts: 3,
      }),
    });
    // The scheduler targets make one role per target queue, assumable only by this account's schedules.
    for (const child of this.node.children) {
      if (!child.node.id.startsWith('SchedulerRoleForTarget')) continue;
      Validations.of(child).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason:
          "The role EventBridge Scheduler assumes for this stack's schedules: its inline policy only lets it send their messages to their target queue and its dead-letter queue, and nothing else uses the role.",
      });
    }
  }
}
