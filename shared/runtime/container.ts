import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConsentRepository, ConsentService, type PublishFailureHandler } from '../contexts/consent/index.js';
import { EventBridgePublisher, FileEventPublisher } from '../platform/events/index.js';
import { ExportService } from '../contexts/exports/index.js';
import { SharingService } from '../contexts/sharing/index.js';
import { RequestRepository, RequestService } from '../contexts/requests/index.js';
import { ErasureRunRepository, ErasureService, ErasureSupervisor } from '../contexts/erasure/index.js';
import { RetentionService } from '../contexts/retention/index.js';
import { SelfService } from '../contexts/self-service/index.js';
import { OutboxNotifier } from '../platform/notify/index.js';
import { FolderDownloadStore } from '../platform/downloads/index.js';
import { UnavailableError } from '../platform/errors/index.js';
import { AuditKeys, AuditRepository, AuditTrail, defaultAuditOptions, ERASED, type SubjectResolver } from '../platform/audit/index.js';
import { FileAuditAnchor } from '../platform/anchors/index.js';
import { DataKeyRing, KeyCache } from '../platform/crypto/index.js';
import { CustomerRepository, CustomerService } from '../contexts/customers/index.js';
import { InteractionRepository, InteractionService } from '../contexts/interactions/index.js';
import { KmsKeyService, LocalKeyService } from '../platform/keys/index.js';
import {
  systemClock,
  type AuditAnchor,
  type Clock,
  type DownloadStore,
  type EventPublisher,
  type IntegrityFailureHandler,
  type KeyService,
  type Notifier,
  type Store,
} from '../platform/ports/index.js';
import { AuthenticatedCursorStore, DynamoStore } from '../platform/store/index.js';
import { ConfigError, type Config } from './config.js';

/** The wired services: what handlers call. Built once per process (cold start). */
export interface Container {
  config: Config;
  store: Store;
  keys: DataKeyRing;
  audit: AuditTrail;
  /** How verification recomputes the content hash of each kind of audited target. */
  subjects: Readonly<Record<string, SubjectResolver>>;
  customers: CustomerService;
  interactions: InteractionService;
  consent: ConsentService;
  exports: ExportService;
  sharing: SharingService;
  requests: RequestService;
  erasure: ErasureService;
  /** Unfinished erasures: listed, resumed, retried. */
  erasures: ErasureSupervisor;
  retention: RetentionService;
  self: SelfService;
  downloads: DownloadStore;
}

/** Adapters a caller may swap (tests inject failing or counting ones). */
export interface Overrides {
  store?: Store;
  keyService?: KeyService;
  clock?: Clock;
  dynamodb?: DynamoDBClient;
  /** Wraps each AWS SDK client the container creates (the functions pass X-Ray's). */
  instrument?: <C extends object>(client: C) => C;
  events?: EventPublisher;
  notifier?: Notifier;
  downloads?: DownloadStore;
  auditAnchor?: AuditAnchor;
  onPublishFailure?: PublishFailureHandler;
  /** A one-time code could not be sent; the caller's answer stays the same. */
  onUndelivered?: (error: UnavailableError) => void;
  /** A stored record failed its integrity check (the functions count it for the alarm). */
  onIntegrityFailure?: IntegrityFailureHandler;
}

/** A decision stays recorded when its event cannot be published; this says so in the log. */
const logPublishFailure: PublishFailureHandler = (error, events) =>
  console.error(
    JSON.stringify({
      level: 'ERROR',
      message: 'domain events not published',
      errorName: (error as Error)?.name,
      events: events.map((e) => ({ type: e.type, id: e.id })),
    }),
  );

/**
 * Adapters whose AWS form only some functions need: their entry points pass it in
 * (aws-adapters.ts), so the other bundles carry no SDK client for it. Configured for AWS
 * but not passed in is a wiring mistake, found at cold start.
 */
const unwired = (variable: string) =>
  new ConfigError(variable, 'names an AWS resource, but this function was built without its adapter (shared/runtime/aws-adapters.ts).');

function createNotifier(config: Config, given: Notifier | undefined): Notifier {
  if (given) return given;
  switch (config.notifier.provider) {
    case 'outbox':
      return new OutboxNotifier(config.notifier.folder);
    case 'none':
      return { send: async () => undefined };
    case 'aws':
      throw unwired('NOTIFY_FROM_ADDRESS');
  }
}

function createDownloads(config: Config, given: DownloadStore | undefined): DownloadStore {
  if (given) return given;
  switch (config.downloads.provider) {
    case 'folder':
      return new FolderDownloadStore(config.downloads.folder);
    case 'none':
      return { offer: async () => Promise.reject(new UnavailableError('download-store')) };
    case 's3':
      throw unwired('DOWNLOADS_BUCKET');
  }
}

const logIntegrityFailure: IntegrityFailureHandler = (failure) =>
  console.error(JSON.stringify({ level: 'ERROR', message: 'stored record failed its integrity check', ...failure }));

function createAuditAnchor(config: Config, given: AuditAnchor | undefined): AuditAnchor | undefined {
  if (given) return given;
  switch (config.auditAnchor.provider) {
    case 'file':
      return new FileAuditAnchor(config.auditAnchor.path);
    case 'none':
      return undefined;
    case 's3':
      throw unwired('AUDIT_CHECKPOINT_BUCKET');
  }
}

const logUndelivered = (error: UnavailableError) =>
  console.error(JSON.stringify({ level: 'ERROR', message: 'one-time code not sent', causeName: (error.cause as Error | undefined)?.name }));

function createPublisher(config: Config, instrument: NonNullable<Overrides['instrument']>): EventPublisher {
  switch (config.events.provider) {
    case 'eventbridge':
      return new EventBridgePublisher(instrument(new EventBridgeClient({ region: config.region })), config.events.busName);
    case 'file':
      return new FileEventPublisher(config.events.path);
    case 'none':
      return { publish: async () => undefined };
  }
}

export function createDynamoClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep the AWS credential chain out of it.
        { endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

function createKeyService(config: Config, instrument: NonNullable<Overrides['instrument']>): KeyService {
  return config.keys.provider === 'kms'
    ? new KmsKeyService(instrument(new KMSClient({ region: config.region })), config.keys.kmsKeyId, config.keys.auditKeyId)
    : LocalKeyService.fromFile(config.keys.keyFile);
}

export function createContainer(config: Config, overrides: Overrides = {}): Container {
  const instrument = overrides.instrument ?? (<C>(client: C) => client);
  const tables = overrides.store ?? new DynamoStore(overrides.dynamodb ?? instrument(createDynamoClient(config)), config.tablePrefix);
  const keyService = overrides.keyService ?? createKeyService(config, instrument);
  const keys = new DataKeyRing(
    tables,
    keyService,
    new KeyCache(config.keyCache),
    async () => !(await new CustomerRepository(tables).hasCustomers()),
  );
  // One root MAC key from the key service (GenerateMac, which every function may use):
  // the audit chains and every list cursor handed out are authenticated under keys derived
  // from it, so a forged or foreign cursor is refused as bad input instead of reaching the table.
  const macKeys = new AuditKeys(keyService);
  const store: Store = new AuthenticatedCursorStore(tables, () => macKeys.key('list-cursor'));
  const repository = new CustomerRepository(store);
  const clock = overrides.clock ?? systemClock;
  // The audit key comes from the key service (never the table); checkpoints go where the application cannot rewrite them.
  const auditAnchor = createAuditAnchor(config, overrides.auditAnchor);
  const audit = new AuditTrail({
    repository: new AuditRepository(store),
    store,
    clock,
    keys: macKeys,
    ...(auditAnchor ? { anchor: auditAnchor } : {}),
  }, { ...defaultAuditOptions, verifyPageEntries: config.auditVerifyPageEntries });
  const onIntegrityFailure = overrides.onIntegrityFailure ?? logIntegrityFailure;
  const customers = new CustomerService(
    { repository, keys, clock, audit, onIntegrityFailure },
    { reviewIntervals: config.reviewIntervals, idempotencyTtlSeconds: config.idempotencyTtlSeconds },
  );
  const interactions = new InteractionService({ repository: new InteractionRepository(store), store, keys, clock, audit, onIntegrityFailure });
  const events = overrides.events ?? createPublisher(config, instrument);
  const onPublishFailure = overrides.onPublishFailure ?? logPublishFailure;
  const consent = new ConsentService({ repository: new ConsentRepository(store), store, keys, clock, audit, events, onPublishFailure, onIntegrityFailure });
  const exports = new ExportService({ consent, customers, repository, keys, audit });
  const sharing = new SharingService({ store, clock, audit, consent, customers, repository });
  const requests = new RequestService({
    repository: new RequestRepository(store),
    store,
    keys,
    clock,
    audit,
    events,
    customers,
    consent,
    interactions,
    sharing,
    erasures: new ErasureRunRepository(store),
    onPublishFailure,
    onIntegrityFailure,
  });
  const erasure = new ErasureService({ store, keys, clock, audit, requests });
  const notifier = createNotifier(config, overrides.notifier);
  const downloads = createDownloads(config, overrides.downloads);
  // An interaction gone by a certified erasure is not a tampered one.
  const interactionSubject: SubjectResolver = async (targetId) =>
    (await interactions.subject(targetId)) ?? ((await erasure.isErased(targetId.split('/')[0] ?? '')) ? ERASED : undefined);
  return {
    config,
    store,
    keys,
    audit,
    subjects: { interaction: interactionSubject },
    customers,
    interactions,
    consent,
    exports,
    sharing,
    requests,
    erasure,
    erasures: new ErasureSupervisor({ store, clock, audit, events }),
    retention: new RetentionService({ store, clock, audit, erasure, events }),
    self: new SelfService({ store, keys, clock, repository, notifier, onUndelivered: overrides.onUndelivered ?? logUndelivered }),
    downloads,
  };
}
