import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createComplaintEscalationConsumer } from '../functions/complaint-escalations/handler.js';
import { createErasureConsumer, erasureOfMessage } from '../functions/erasure/handler.js';
import { createSurveyDispatchConsumer, SURVEY_DISPATCH_MAX_RECEIVES } from '../functions/survey-dispatch/handler.js';
import { createIncidentWorkConsumer, INCIDENT_WORK_MAX_RECEIVES } from '../functions/incident-work/handler.js';
import { createAuditStreamConsumer } from '../functions/audit-stream/handler.js';
import { DEFAULT_ALERT_FRACTIONS } from '../shared/contexts/incidents/deadline-monitor.js';
import { defaultObligations } from '../shared/contexts/incidents/obligations.js';
import { defaultThresholds } from '../shared/contexts/security/thresholds.js';
import { auditTable, physicalTableName } from '../shared/platform/store/tables.js';
import { LocalAuditStream } from './audit-stream.js';
import { createJobsHandler, type JobMessage } from '../functions/jobs/handler.js';
import { createHandlers } from '../functions/handlers.js';
import { createObservability } from '../functions/http/index.js';
import { FolderDownloadStore } from '../shared/platform/downloads/index.js';
import { FileEventPublisher } from '../shared/platform/events/index.js';
import type { DomainEvent, EventPublisher } from '../shared/platform/ports/index.js';
import { LocalQueue } from './queue.js';
import { routeTable } from '../functions/routes.js';
import { createContainer, createDynamoClient, type Config, type Container, type Overrides } from '../shared/runtime/index.js';
import { defaultReviewIntervals } from '../shared/contexts/customers/index.js';
import { defaultIndexShards, ensureTables } from '../shared/platform/store/index.js';
import { createLocalApi } from './server.js';
import { loadTokenSecret } from './tokens.js';

export interface LocalAppOptions {
  dataDir: string;
  /**
   * Run the scheduled jobs on timers, as EventBridge Scheduler does in AWS (npm start
   * does); an object sets the interval of the jobs it names, in milliseconds (tests).
   */
  schedules?: boolean | Partial<Record<JobMessage['job'], number>>;
  dynamodbEndpoint: string;
  port?: number;
  tablePrefix?: string;
  corsOrigins?: string[];
  overrides?: Overrides;
  config?: Partial<Config>;
}

export interface LocalApp {
  url: string;
  container: Container;
  /** The local queues and their consumers, as the event rules route them in AWS. */
  queues: { erasure: LocalQueue; complaintEscalations: LocalQueue; surveyDispatch: LocalQueue; incidentWork: LocalQueue };
  /** The audit table's stream into the unusual-access detector, as its Lambda event source mapping does in AWS. */
  auditStream: LocalAuditStream;
  tokenSecret: Uint8Array;
  close(): Promise<void>;
}

export const tokenSecretPath = (dataDir: string) => join(dataDir, 'local-jwt.key');

/** The local configuration: the embedded DynamoDB and a master key file under the data directory. */
export function localConfig(options: LocalAppOptions): Config {
  return {
    tablePrefix: options.tablePrefix ?? 'kehu',
    region: 'local',
    dynamodbEndpoint: options.dynamodbEndpoint,
    keys: { provider: 'local', keyFile: join(options.dataDir, 'master.key') },
    keyCache: { maxEntries: 1000, ttlMs: 300_000 },
    reviewIntervals: defaultReviewIntervals,
    idempotencyTtlSeconds: 86_400,
    customerNumberBlock: 100,
    indexShards: defaultIndexShards,
    corsOrigins: options.corsOrigins ?? ['http://localhost:5173'],
    events: { provider: 'file', path: join(options.dataDir, 'events.jsonl') },
    notifier: { provider: 'outbox', folder: join(options.dataDir, 'outbox') },
    downloads: { provider: 'folder', folder: join(options.dataDir, 'downloads') },
    auditAnchor: { provider: 'file', path: join(options.dataDir, 'audit-checkpoints.log') },
    auditVerifyPageEntries: 5_000,
    auditChains: 64,
    responseInlineMaxBytes: 5_000_000,
    surveyLinkBase: 'http://127.0.0.1:3000',
    riskFlagHandleHours: 48,
    incidentObligations: defaultObligations,
    incidentOperatorType: 'ordinary',
    incidentAlertFractions: [...DEFAULT_ALERT_FRACTIONS],
    incidentContact: 'privacy@kehu.local',
    // `local-drill` is the local drill account (npm run token -- --role agent --sub local-drill).
    securityThresholds: { ...defaultThresholds, drillActors: ['local-drill'] },
    // Inside the outbox but apart from it: a drill's notices never sit among the customers' messages.
    drillSink: { provider: 'folder', folder: join(options.dataDir, 'outbox', 'drills') },
    ...options.config,
  };
}

/** Creates missing tables, wires the same handlers Lambda runs and serves them over HTTP. */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const config = localConfig(options);
  const dynamodb = options.overrides?.dynamodb ?? createDynamoClient(config);
  await ensureTables(dynamodb, config.tablePrefix);
  // Events go to the file, and those the AWS rules route to a queue go to its local stand-in.
  // Durable, as SQS is: what a stopped process left unacknowledged is delivered at the next start.
  const erasure = new LocalQueue({
    name: 'erasure',
    maxReceives: 5,
    deadLetterFile: join(options.dataDir, 'dlq-erasure.jsonl'),
    folder: join(options.dataDir, 'queues', 'erasure'),
  });
  const complaintEscalations = new LocalQueue({
    name: 'complaint-escalations',
    maxReceives: 5,
    deadLetterFile: join(options.dataDir, 'dlq-complaint-escalations.jsonl'),
    folder: join(options.dataDir, 'queues', 'complaint-escalations'),
  });
  const surveyDispatch = new LocalQueue({
    name: 'survey-dispatch',
    maxReceives: SURVEY_DISPATCH_MAX_RECEIVES,
    deadLetterFile: join(options.dataDir, 'dlq-survey-dispatch.jsonl'),
    folder: join(options.dataDir, 'queues', 'survey-dispatch'),
  });
  const incidentWork = new LocalQueue({
    name: 'incident-work',
    maxReceives: INCIDENT_WORK_MAX_RECEIVES,
    deadLetterFile: join(options.dataDir, 'dlq-incident-work.jsonl'),
    folder: join(options.dataDir, 'queues', 'incident-work'),
  });
  const file = new FileEventPublisher(join(options.dataDir, 'events.jsonl'));
  const events: EventPublisher = options.overrides?.events ?? {
    publish: async (published: DomainEvent[]) => {
      await file.publish(published);
      for (const event of published) {
        const envelope = JSON.stringify({ source: 'kehu', 'detail-type': event.type, detail: event });
        if (event.type === 'ErasureApproved' || event.type === 'RetentionExpired') erasure.send(envelope);
        if (event.type === 'ComplaintEscalated') complaintEscalations.send(envelope);
        if (event.type === 'SurveyDispatchPage' || event.type === 'SurveyInvitationQueued') surveyDispatch.send(envelope);
        if (INCIDENT_WORK_EVENTS.has(event.type)) incidentWork.send(envelope);
      }
    },
  };
  // A container per function, as each Lambda has its own: cold caches, its own chain heads.
  const newContainer = () => createContainer(config, { dynamodb, events, ...options.overrides });
  const container = newContainer();
  erasure.attach(createErasureConsumer(newContainer(), await createObservability('erasure')));
  complaintEscalations.attach(createComplaintEscalationConsumer(newContainer(), await createObservability('complaint-escalations')));
  complaintEscalations.recover();
  surveyDispatch.attach(createSurveyDispatchConsumer(newContainer(), await createObservability('survey-dispatch')));
  surveyDispatch.recover();
  incidentWork.attach(createIncidentWorkConsumer(newContainer(), await createObservability('incident-work')));
  incidentWork.recover();
  const auditStream = new LocalAuditStream({
    dynamodbEndpoint: config.dynamodbEndpoint!,
    tableName: physicalTableName(config.tablePrefix, auditTable),
    checkpointFile: join(options.dataDir, 'audit-stream.checkpoint.json'),
    consumer: createAuditStreamConsumer(newContainer(), await createObservability('audit-stream')),
  });
  auditStream.start();
  // Nothing runs before this process did: every unfinished erasure whose message is not
  // waiting in the queue is handed on now, not when the resume schedule next comes round.
  const waiting = new Set(erasure.pending().flatMap((body) => erasureOfMessage(body) ?? []));
  erasure.recover();
  await container.erasures.resume({ stalledForMs: 0, except: waiting }, { actor: { id: 'local-start', role: 'system' }, purpose: 'erasure' }).catch((error: unknown) => {
    // Not fatal: the resume schedule tries again, and the erasures stay listed meanwhile.
    console.error(`Resuming unfinished erasures at start failed (${(error as Error).name}); the resume-erasures schedule tries again.`);
  });
  const scheduled = options.schedules
    ? await startSchedules(newContainer(), options.dataDir, options.schedules === true ? {} : options.schedules)
    : { timers: [], jobs: undefined };
  const tokenSecret = loadTokenSecret(tokenSecretPath(options.dataDir));
  const server = createLocalApi({
    routes: routeTable,
    handlers: await createHandlers(container),
    tokenSecret,
    corsOrigins: config.corsOrigins,
    ...(container.downloads instanceof FolderDownloadStore ? { downloads: container.downloads } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    container,
    queues: { erasure, complaintEscalations, surveyDispatch, incidentWork },
    auditStream,
    tokenSecret,
    close: async () => {
      // The stream reader first: its last batch settles and its checkpoint is written.
      await auditStream.close();
      await new Promise<void>((resolve) => {
        scheduled.timers.forEach(clearInterval);
        erasure.close();
        complaintEscalations.close();
        surveyDispatch.close();
        incidentWork.close();
        scheduled.jobs?.close();
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

/** The events the AWS rule routes to the incident-work queue. */
const INCIDENT_WORK_EVENTS = new Set(['IncidentScopePage', 'IncidentNotificationPage', 'IncidentNotificationQueued']);

/** The schedules of the events stack, as timers: the same jobs, through the jobs queue's consumer. */
const localSchedules: Array<{ job: JobMessage['job']; everyMs: number }> = [
  { job: 'request-deadlines', everyMs: 6 * 60 * 60 * 1000 },
  { job: 'retention-sweep', everyMs: 24 * 60 * 60 * 1000 },
  { job: 'review-reminders', everyMs: 24 * 60 * 60 * 1000 },
  { job: 'resume-erasures', everyMs: 5 * 60 * 1000 },
  { job: 'audit-checkpoint', everyMs: 15 * 60 * 1000 },
  { job: 'complaint-deadlines', everyMs: 5 * 60 * 1000 },
  { job: 'survey-waves', everyMs: 60 * 60 * 1000 },
  { job: 'risk-flags', everyMs: 60 * 60 * 1000 },
  { job: 'incident-deadlines', everyMs: 5 * 60 * 1000 },
];

async function startSchedules(
  container: Container,
  dataDir: string,
  intervals: Partial<Record<JobMessage['job'], number>>,
): Promise<{ timers: NodeJS.Timeout[]; jobs: LocalQueue }> {
  const jobs = new LocalQueue({ name: 'jobs', maxReceives: 3, deadLetterFile: join(dataDir, 'dlq-jobs.jsonl'), folder: join(dataDir, 'queues', 'jobs') });
  jobs.attach(createJobsHandler(container, await createObservability('jobs'), { riskFlagHandleHours: container.config.riskFlagHandleHours }));
  jobs.recover();
  const timers = localSchedules.map(({ job, everyMs }) => {
    const timer = setInterval(() => jobs.send(JSON.stringify({ job })), intervals[job] ?? everyMs);
    timer.unref();
    return timer;
  });
  return { timers, jobs };
}
