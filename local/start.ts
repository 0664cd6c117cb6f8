import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startDynamo } from './dynamodb.js';
import { startLocalApp } from './app.js';
import { localDataDir } from './data-dir.js';

/**
 * `npm start`: the whole API on localhost, no AWS account. DynamoDB Local keeps its data
 * under DATA_DIR (default `.data/`), so records survive restarts.
 */
// The SDK versions are locked in package-lock.json; its notice about future versions needing Node 22 does not apply.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// No CloudWatch here: EMF metric lines would only clutter the terminal.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

const dataDir = localDataDir();
const port = Number(process.env.PORT || 3000);
const dynamoPort = Number(process.env.DYNAMODB_PORT || 8000);
const corsOrigins = process.env.CORS_ORIGINS?.split(',').filter(Boolean);

const dbPath = join(dataDir, 'dynamodb');
mkdirSync(dbPath, { recursive: true, mode: 0o700 });

const dynamo = await startDynamo({ port: dynamoPort, dbPath });
let app: Awaited<ReturnType<typeof startLocalApp>>;
try {
  app = await startLocalApp({ dataDir, dynamodbEndpoint: dynamo.endpoint, port, schedules: true, ...(corsOrigins ? { corsOrigins } : {}) });
} catch (error) {
  await dynamo.stop();
  throw error;
}

console.log(`Kehu API        ${app.url}  (OpenAPI: ${app.url}/v1/openapi.json)`);
console.log(`DynamoDB Local  ${dynamo.endpoint}  (data in ${dbPath})`);
// A token must come from the same data directory's secret, so the hint carries DATA_DIR when it was set.
console.log(`Get a token:    ${process.env.DATA_DIR ? `DATA_DIR=${process.env.DATA_DIR} ` : ''}npm run token -- --role admin`);
console.log('Ctrl-C stops both.');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the API and DynamoDB Local...`);
  await app.close();
  await dynamo.stop();
  console.log('Stopped.');
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
