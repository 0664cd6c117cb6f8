import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startDynamo } from '../../local/dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    /** The run's directory for the one shared `cdk synth` (test/infra/support.ts). */
    synthDir: string;
  }
}

/**
 * Starts one in-memory DynamoDB Local for the run and stops it afterwards; gives the run a
 * directory for its one synth of the app, which the first infra test that needs it starts.
 */
export default async function setup(project: TestProject) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const synthDir = mkdtempSync(join(tmpdir(), 'kehu-test-synth-'));
  project.provide('synthDir', synthDir);
  const dynamo = await startDynamo();
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return async () => {
    await dynamo.stop();
    // A synth still running (its test file was cancelled) is of no use once the run is over: end its process group.
    const pidFile = join(synthDir, 'pid');
    if (existsSync(pidFile) && !existsSync(join(synthDir, 'status.json'))) {
      try {
        process.kill(-Number(readFileSync(pidFile, 'utf8')));
      } catch {
        // It had ended.
      }
    }
    rmSync(synthDir, { recursive: true, force: true });
  };
}
