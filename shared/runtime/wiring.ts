import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { PublishFailureHandler } from '../contexts/consent/index.js';
import { CustomerRepository } from '../contexts/customers/index.js';
import { FileAuditAnchor } from '../platform/anchors/index.js';
import { AuditKeys, AuditRepository, AuditTrail, defaultAuditOptions } from '../platform/audit/index.js';
import { DataKeyRing, KeyCache } from '../platform/crypto/index.js';
import { FolderDownloadStore } from '../platform/downloads/index.js';
import { UnavailableError } from '../platform/errors/index.js';
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

export type Instrument = NonNullable<Overrides['instrument']>;

/**
 * What every function builds at cold start, whichever services it serves: the store with
 * authenticated cursors, the key ring, the audit trail, the clock and the downloads its
 * HTTP answers may use. The services are built from it by shared/runtime/services, each
 * once per wiring, so a function carries and builds only those its routes call.
 */
export interface Wiring {
  config: Config;
  overrides: Overrides;
  instrument: Instrument;
  /** The tables as they are, for the key ring; everything else goes through `store`. */
  tables: Store;
  store: Store;
  keyService: KeyService;
  keys: DataKeyRing;
  clock: Clock;
  audit: AuditTrail;
  downloads: DownloadStore;
  onIntegrityFailure: IntegrityFailureHandler;
  onPublishFailure: PublishFailureHandler;
  /** The part named `name`, built on first use and shared by everything built from this wiring. */
  once<T>(name: string, build: () => T): T;
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

const logIntegrityFailure: IntegrityFailureHandler = (failure) =>
  console.error(JSON.stringify({ level: 'ERROR', message: 'stored record failed its integrity check', ...failure }));

/**
 * Adapters whose AWS form only some functions need: their entry points pass it in
 * (aws-adapters.ts), so the other bundles carry no SDK client for it. Configured for AWS
 * but not passed in is a wiring mistake, found at cold start.
 */
export const unwired = (variable: string) =>
  new ConfigError(variable, 'names an AWS resource, but this function was built without its adapter (shared/runtime/aws-adapters.ts).');

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

export function createDynamoClient(config: Pick<Config, 'region' | 'dynamodbEndpoint'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    ...(config.dynamodbEndpoint
      ? // DynamoDB Local accepts any credentials; fixed ones keep the AWS credential chain out of it.
        { endpoint: config.dynamodbEndpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
}

function createKeyService(config: Config, instrument: Instrument): KeyService {
  return config.keys.provider === 'kms'
    ? new KmsKeyService(instrument(new KMSClient({ region: config.region })), config.keys.kmsKeyId, config.keys.auditKeyId)
    : LocalKeyService.fromFile(config.keys.keyFile);
}

export function createWiring(config: Config, overrides: Overrides = {}): Wiring {
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
  const clock = overrides.clock ?? systemClock;
  // The audit key comes from the key service (never the table); checkpoints go where the application cannot rewrite them.
  const auditAnchor = createAuditAnchor(config, overrides.auditAnchor);
  const audit = new AuditTrail({
    repository: new AuditRepository(store, config.indexShards.auditActors),
    store,
    clock,
    keys: macKeys,
    ...(auditAnchor ? { anchor: auditAnchor } : {}),
  }, { ...defaultAuditOptions, chains: config.auditChains, verifyPageEntries: config.auditVerifyPageEntries });
  const parts = new Map<string, unknown>();
  return {
    config,
    overrides,
    instrument,
    tables,
    store,
    keyService,
    keys,
    clock,
    audit,
    downloads: createDownloads(config, overrides.downloads),
    onIntegrityFailure: overrides.onIntegrityFailure ?? logIntegrityFailure,
    onPublishFailure: overrides.onPublishFailure ?? logPublishFailure,
    once<T>(name: string, build: () => T): T {
      if (!parts.has(name)) parts.set(name, build());
      return parts.get(name) as T;
    },
  };
}
