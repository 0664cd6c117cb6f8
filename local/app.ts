import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createHandlers } from '../functions/handlers.js';
import { routeTable } from '../functions/routes.js';
import { createContainer, createDynamoClient, type Config, type Container, type Overrides } from '../shared/runtime/index.js';
import { defaultReviewIntervals } from '../shared/customers/index.js';
import { ensureTables } from '../shared/store/index.js';
import { createLocalApi } from './server.js';
import { loadTokenSecret } from './tokens.js';

export interface LocalAppOptions {
  dataDir: string;
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
    corsOrigins: options.corsOrigins ?? ['http://localhost:5173'],
    events: { provider: 'file', path: join(options.dataDir, 'events.jsonl') },
    ...options.config,
  };
}

/** Creates missing tables, wires the same handlers Lambda runs and serves them over HTTP. */
export async function startLocalApp(options: LocalAppOptions): Promise<LocalApp> {
  const config = localConfig(options);
  const dynamodb = options.overrides?.dynamodb ?? createDynamoClient(config);
  await ensureTables(dynamodb, config.tablePrefix);
  const container = createContainer(config, { dynamodb, ...options.overrides });
  const tokenSecret = loadTokenSecret(tokenSecretPath(options.dataDir));
  const server = createLocalApi({ routes: routeTable, handlers: await createHandlers(container), tokenSecret, corsOrigins: config.corsOrigins });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    container,
    tokenSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
