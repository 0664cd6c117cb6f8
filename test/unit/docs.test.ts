import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tokenSecretPath } from '../../local/app.js';
import { BearerVerifier, loadTokenSecret, signToken } from '../../local/tokens.js';
import { startTestApi } from '../support/local-api.js';

/** The README's walk-through as a new user copies it, and the token command it relies on. */
const readme = readFileSync('README.md', 'utf8');
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
/** The walk-through: the shell blocks before the deployment guide (those run against the local API). */
const walkThrough = shellBlocks.filter((block) => block.includes('$API')).join('\n');
/** Command lines without their comments (`# -> 201 ...`). */
const commands = (text: string) =>
  text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .map((line) => line.replace(/\s+#\s.*$/, ''));

describe('README walk-through', () => {
  it('runs on macOS and BSD too: no GNU-only date -d', () => {
    expect(walkThrough.length).toBeGreaterThan(1000);
    expect(commands(walkThrough).filter((line) => /\bdate\b[^|;]*\s(-d|--date)\b/.test(line))).toEqual([]);
  });

  it('finds the outbox and the events where DATA_DIR puts them', () => {
    const literal = commands(walkThrough).filter((line) => /(^|[^-])\.data\//.test(line.replaceAll('${DATA_DIR:-.data}', '')));
    expect(literal).toEqual([]);
    expect(walkThrough).toContain('${DATA_DIR:-.data}"/outbox/');
  });

  it("writes customers' documents to a temporary folder, never into the repository", () => {
    expect(walkThrough).toMatch(/^OUT=\$\(mktemp -d\)/m);
    const targets = commands(walkThrough).flatMap((line) => [...line.matchAll(/(?<![0-9&-])>\s*("?[^\s|;&]+)/g)].map((m) => m[1]!));
    expect(targets.length).toBeGreaterThanOrEqual(2);
    expect(targets.filter((target) => !/^"?\$OUT\//.test(target) && target !== '/dev/null')).toEqual([]);
    const ignored = readFileSync('.gitignore', 'utf8').split('\n');
    for (const name of ['export.json', 'my-data.json']) expect(ignored).toContain(name);
  });

  it('shows how each request it opens ends', () => {
    for (const request of ['REQ', 'ERASE', 'SELF_REQ']) {
      expect(walkThrough, request).toMatch(new RegExp(`^${request}=\\$\\(`, 'm'));
      expect(walkThrough, `GET /v1/requests/$${request}`).toContain(`curl -s $API/v1/requests/$${request} `);
    }
    expect(walkThrough).toContain(`$REQ/transitions -H "Authorization: Bearer $DPO" \\\n  -H 'Content-Type: application/json' -d '{"action": "complete"}'`);
  });

  it('links the architecture document, which exists', () => {
    expect(readme).toContain('(docs/architecture.md)');
    expect(existsSync('docs/architecture.md')).toBe(true);
  });
});

describe('npm run token', () => {
  const tsx = join('node_modules', '.bin', 'tsx');
  const token = (dataDir: string) =>
    promisify(execFile)(tsx, ['local/token.ts', '--role', 'agent'], { env: { ...process.env, DATA_DIR: dataDir } });

  it("signs with the secret of the DATA_DIR it is given, as the server started there reads it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kehu-token-'));
    const other = mkdtempSync(join(tmpdir(), 'kehu-token-other-'));
    // What a server started with DATA_DIR does first.
    const secret = loadTokenSecret(tokenSecretPath(dataDir));
    const otherSecret = loadTokenSecret(tokenSecretPath(other));

    const { stdout } = await token(dataDir);
    const claims = await new BearerVerifier(secret).verify(`Bearer ${stdout.trim()}`);
    expect(claims).toMatchObject({ 'cognito:groups': '[agent]', sub: 'local-agent' });
    expect(await new BearerVerifier(otherSecret).verify(`Bearer ${stdout.trim()}`)).toBeUndefined();
  }, 30_000);

  it('refuses a DATA_DIR where no server has started, instead of minting a token no server accepts', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kehu-token-empty-'));
    const failure = await token(empty).then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr).toContain(tokenSecretPath(empty));
    expect(failure?.stderr).toContain('DATA_DIR');
    expect(existsSync(tokenSecretPath(empty))).toBe(false);
  }, 30_000);

  it("is refused by a server of another DATA_DIR with a 401 that says so", async () => {
    const api = await startTestApi();
    try {
      const foreign = await signToken(loadTokenSecret(tokenSecretPath(mkdtempSync(join(tmpdir(), 'kehu-token-foreign-')))), { sub: 'a', roles: ['agent'] });
      const refused = await api.call('GET', '/v1/customers?limit=1', { token: foreign });
      expect(refused.status).toBe(401);
      expect(refused.body).toMatchObject({ type: 'urn:kehu:problem:unauthenticated', field: 'Authorization' });
      expect(refused.body.detail).toMatch(/not signed with this server's secret.*DATA_DIR/);
      const missing = await api.call('GET', '/v1/customers?limit=1');
      expect(missing.body.detail).toBe('A valid bearer token is required.');
      const accepted = await api.call('GET', '/v1/customers?limit=1', { token: await api.token('agent') });
      expect(accepted.status).toBe(200);
    } finally {
      await api.close();
    }
  });
});
