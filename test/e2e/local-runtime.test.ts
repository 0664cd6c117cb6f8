import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb.js';
import { newCustomer, startTestApi, type TestApi } from '../support/local-api.js';
import { signToken } from '../../local/tokens.js';
import { outbox, signIn } from '../support/self-service.js';
import type { Role } from '../../shared/platform/access/index.js';

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
  // As `npm start` runs it: node itself (tsx as a loader), so Ctrl-C reaches the server
  // directly; the tsx command's signal relay kills a child that is slow to acknowledge.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
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

/** An answer read off the wire: what a client gets when fetch could not even send its request. */
interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The body of a chunked answer (sizes in hex, each chunk on its own line, a 0 chunk last). */
function unchunk(raw: string): string {
  let body = '';
  let rest = raw;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return body;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Sends bytes as they are (no client fixes them up) and reads the answer until the server closes. */
function rawRequest(port: number, bytes: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      const raw = rest.join('\r\n\r\n');
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: headers['transfer-encoding'] === 'chunked' ? unchunk(raw) : raw });
    });
    socket.write(bytes);
  });
}

const get = (path: string, headers = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`;

/** What API Gateway answers before any function runs, answered the same way by the local runtime. */
describe('the local API Gateway, at the wire', () => {
  let api: TestApi;
  let port: number;
  beforeAll(async () => {
    api = await startTestApi();
    port = Number(new URL(api.url).port);
  });
  afterAll(async () => {
    await api?.close();
  });

  const problemOf = (answer: RawAnswer) => {
    expect(answer.headers['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(answer.body) as { type: string; status: number; title: string; detail: string; field?: string };
    expect(problem.status).toBe(answer.status);
    expect(problem.type).toMatch(/^urn:kehu:problem:/);
    return problem;
  };

  it('answers a well-formed request as before', async () => {
    const answer = await rawRequest(port, get('/v1/health'));
    expect(answer.status).toBe(200);
  });

  it('answers a broken %-escape in a path parameter 400 naming it, before the token is checked', async () => {
    for (const path of ['/v1/customers/%zz', '/v1/customers/%', '/v1/customers/%E0%A4%A', '/v1/customers/%C3%28']) {
      const answer = await rawRequest(port, get(path));
      expect(answer.status, path).toBe(400);
      expect(problemOf(answer)).toMatchObject({ field: 'id', type: 'urn:kehu:problem:validation' });
    }
    // With a valid token, the same.
    const token = await api.token('admin');
    const withToken = await rawRequest(port, get('/v1/customers/%zz', `Authorization: Bearer ${token}\r\n`));
    expect(withToken.status).toBe(400);
    // A broken escape where no route matches is simply no route.
    expect((await rawRequest(port, get('/v1/%zz'))).status).toBe(404);
  });

  it('answers a method Node does not know as API Gateway does: 404, no such route', async () => {
    const answer = await rawRequest(port, 'FOO /v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(answer.status).toBe(404);
    expect(problemOf(answer)).toMatchObject({ type: 'urn:kehu:problem:not-found', detail: 'No such route.' });
    // A method Node knows but no route has: the same answer.
    const known = await rawRequest(port, 'PROPFIND /v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(known.status).toBe(404);
    expect(problemOf(known).type).toBe('urn:kehu:problem:not-found');
  });

  it('refuses headers over HTTP API\'s 10,240-byte quota with 431 and a body; below it they pass', async () => {
    for (const size of [11_000, 17_000, 64_000]) {
      const answer = await rawRequest(port, get('/v1/health', `X-Padding: ${'a'.repeat(size)}\r\n`));
      expect(answer.status, String(size)).toBe(431);
      expect(problemOf(answer)).toMatchObject({ type: 'urn:kehu:problem:headers-too-large' });
    }
    expect((await rawRequest(port, get('/v1/health', `X-Padding: ${'a'.repeat(9_000)}\r\n`))).status).toBe(200);
  });

  it('answers a malformed request line or header 400 with a body', async () => {
    for (const bytes of [
      'GET /v1/health HTTP/9.Z\r\n\r\n',
      // Node's parser lets this one through; the server itself finds it is no path.
      'GET http://[ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
      'GET /v1 health HTTP/1.1\r\nHost: localhost\r\n\r\n',
      'GET /v1/health HTTP/1.1\r\nBad Header: x\r\n\r\n',
      'GET /v1/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: nope\r\n\r\n',
    ]) {
      const answer = await rawRequest(port, bytes);
      expect(answer.status, JSON.stringify(bytes)).toBe(400);
      expect(problemOf(answer).type).toBe('urn:kehu:problem:malformed-request');
    }
  });
});

/** Through the local runtime end to end: the authorizer's claims, and contacts as written. */
describe('the local runtime, past the gateway', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.close();
  });

  const tokenWithGroups = (groups: string[]) => signToken(api.tokenSecret, { sub: 'user-groups', roles: groups as Role[] });

  it('takes roles as exact group names: a group "analyst admin" is no admin', async () => {
    // The authorizer hands the function `[analyst admin]` for both tokens.
    const spaced = await api.call('POST', '/v1/customers', { token: await tokenWithGroups(['analyst admin']), body: newCustomer() });
    expect(spaced.status).toBe(403);
    const two = await api.call('POST', '/v1/customers', { token: await tokenWithGroups(['analyst', 'admin']), body: newCustomer() });
    expect(two.status).toBe(201);
    const system = await api.call('GET', '/v1/customers', { token: await tokenWithGroups(['system']) });
    expect(system.status).toBe(403);
  });

  it('trims contacts and reads 0086 as +86: created, looked up and signed in with by the same blind index', async () => {
    const token = await api.token('admin');
    const body = newCustomer();
    const [email, phone] = [body.emails[0] as string, body.phones[0] as string];
    const national = phone.slice(3);
    const created = await api.call('POST', '/v1/customers', {
      token,
      body: { ...body, emails: [` ${email.toUpperCase()}\n`], phones: [`\t0086 ${national.slice(0, 3)} ${national.slice(3)} `] },
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    for (const query of [`email=${encodeURIComponent(email)}`, `email=${encodeURIComponent(`\t${email} `)}`, `phone=${encodeURIComponent(phone)}`, `phone=${encodeURIComponent(`0086${national}`)}`]) {
      const found = await api.call('GET', `/v1/customers?${query}`, { token });
      expect(found.status, query).toBe(200);
      expect((found.body as { items: Array<{ id: string }> }).items.map((c) => c.id), query).toEqual([id]);
    }
    // A second customer with the same contacts, written cleanly, is a duplicate.
    const duplicate = await api.call('POST', '/v1/customers', { token, body: newCustomer({ emails: [email] }) });
    expect(duplicate.status).toBe(409);
    const patched = await api.call('PATCH', `/v1/customers/${id}`, {
      token,
      headers: { 'if-match': created.headers.get('etag') ?? '"1"' },
      body: { emails: [`${email}\r\n`], phones: [`0086${national}`], reason: 'contacts re-entered' },
    });
    expect(patched.status).toBe(200);
    // Self-service finds the customer by a trimmed contact and by a 0086 number: a code is sent to each.
    for (const contact of [` ${email}\t`, `0086 ${national}`]) {
      const sent = outbox(api).length;
      expect((await api.call('POST', '/v1/self/verification', { body: { contact } })).status, contact).toBe(202);
      expect(outbox(api).length, contact).toBe(sent + 1);
      expect(outbox(api).at(-1)!.to, contact).toBe(contact.trim().replace(/^00/, '+'));
    }
    expect(await signIn(api, `\n${email.toUpperCase()} `)).toMatch(/\S{20,}/);
  });
});
