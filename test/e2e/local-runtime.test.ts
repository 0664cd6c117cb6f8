import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.js';
import { newCustomer } from '../support/local-api.js';

/**
 * `npm start` as a user runs it: DynamoDB Local with data on disk, the API on a port,
 * a token from `npm run token`, a clean stop on Ctrl-C (SIGINT), and the same data and
 * keys after a restart.
 */
const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
const dataDir = mkdtempSync(join(tmpdir(), 'kehu-start-'));
const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

async function start(port: number, dynamoPort: number) {
  const child = spawn(tsx, ['local/start.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), DYNAMODB_PORT: String(dynamoPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), 60_000);
    child.stdout!.on('data', () => output.includes('Ctrl-C') && (clearTimeout(timer), resolve()));
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output };
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('npm start', () => {
  it('serves the API, stops cleanly on Ctrl-C and keeps data and keys across restarts', { timeout: 180_000 }, async () => {
    const [port, dynamoPort] = [await freePort(), await freePort()];
    const first = await start(port, dynamoPort);
    expect(first.output()).toContain(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain(`http://127.0.0.1:${dynamoPort}`);

    const { stdout } = await promisify(execFile)(tsx, ['local/token.ts', '--role', 'admin'], { env: { ...process.env, DATA_DIR: dataDir } });
    const token = stdout.trim();
    const body = newCustomer();
    const created = await fetch(`http://127.0.0.1:${port}/v1/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    expect(await stop(first.child)).toBe(0);
    expect(await portOpen(dynamoPort)).toBe(false);
    expect(await portOpen(port)).toBe(false);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const second = await start(port, dynamoPort);
    const read = await fetch(`http://127.0.0.1:${port}/v1/customers/${id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(read.status).toBe(200);
    expect(((await read.json()) as { name: string }).name).toBe(body.name);
    expect(await stop(second.child)).toBe(0);
  });

  it('refuses an unknown role when printing a token', async () => {
    const result = await promisify(execFile)(tsx, ['local/token.ts', '--role', 'root'], { env: { ...process.env, DATA_DIR: dataDir } }).then(
      () => 0,
      (error: { code: number; stderr: string }) => (expect(error.stderr).toContain('Usage'), error.code),
    );
    expect(result).toBe(2);
  });
});
