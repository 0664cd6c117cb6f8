import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderDownloadStore } from '../../shared/platform/downloads/index.js';
import { S3DownloadStore } from '../../shared/platform/downloads/s3-download-store.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { ConfigError, configFromEnv, createContainer } from '../../shared/runtime/index.js';

const document = JSON.stringify({ profile: { name: 'Wang Fang', emails: ['wang.fang@example.com'] } });

describe('S3 download store', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const client = () => new S3Client({ region: 'eu-central-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });

  it('uploads the document under a random key and answers a presigned link that expires', async () => {
    s3.on(PutObjectCommand).resolves({});
    const offered = await new S3DownloadStore(client(), 'kehu-test-downloads', 900).offer(document, 'export.json');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: 'kehu-test-downloads', Body: document, ContentType: 'application/json' });
    expect(put.Key).toMatch(/^downloads\/[0-9a-f-]{36}\/export\.json$/);
    const url = new URL(offered.url);
    expect(url.hostname).toContain('kehu-test-downloads');
    expect(url.pathname).toBe(`/${put.Key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(offered.bytes).toBe(Buffer.byteLength(document));
    expect(Date.parse(offered.expiresAt) - Date.now()).toBeGreaterThan(800_000);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0); // presigning sends nothing
  });

  it('reports an S3 failure as an unavailable dependency, without the document', async () => {
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    const failure = await new S3DownloadStore(client(), 'b').offer(document, 'export.json').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect((failure as UnavailableError).dependency).toBe('download-store');
    expect(String((failure as Error).message)).not.toContain('Wang');
  });
});

describe('folder download store (local)', () => {
  const folder = () => mkdtempSync(join(tmpdir(), 'kehu-downloads-'));
  const parts = (url: string) => {
    const parsed = new URL(url, 'http://localhost');
    return { id: parsed.pathname.split('/').at(-1)!, expires: parsed.searchParams.get('expires'), signature: parsed.searchParams.get('signature') };
  };

  it('keeps documents sealed on disk and opens them through their signed link only', async () => {
    const dir = folder();
    const store = new FolderDownloadStore(dir);
    const offered = await store.offer(document, 'export.json');
    expect(offered.url).toMatch(/^\/local\/downloads\/[0-9a-f-]{36}\?/);
    const [file] = readdirSync(dir);
    expect(readFileSync(join(dir, file!)).toString('latin1')).not.toContain('Wang');
    const { id, expires, signature } = parts(offered.url);
    expect(await store.open(id, expires, signature)).toBe(document);
    expect(await store.open(id, String(Number(expires) + 60), signature)).toBeUndefined();
    // The last character changed, whatever it was (a signature ending in A stayed whole before).
    expect(await store.open(id, expires, `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await store.open('../../etc/passwd', expires, signature)).toBeUndefined();
    // Another process (a restart) holds another key: the old links and files are dead.
    expect(await new FolderDownloadStore(dir).open(id, expires, signature)).toBeUndefined();
  });

  it('refuses an expired link and prunes expired files', async () => {
    const dir = folder();
    const store = new FolderDownloadStore(dir, -10);
    const { id, expires, signature } = parts((await store.offer(document, 'a.json')).url);
    expect(await store.open(id, expires, signature)).toBeUndefined();
    await store.offer(document, 'b.json');
    expect(readdirSync(dir)).toHaveLength(1);
  });
});

describe('wiring', () => {
  it('fails at cold start when a function is configured for a bucket or sender it was built without', () => {
    const config = configFromEnv({ KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/unused', DOWNLOADS_BUCKET: 'kehu-prod-downloads' });
    expect(() => createContainer(config)).toThrow(ConfigError);
    const withStore = createContainer(config, { downloads: new S3DownloadStore(new S3Client({ region: 'local' }), 'kehu-prod-downloads') });
    expect(withStore.downloads).toBeInstanceOf(S3DownloadStore);
    const sender = configFromEnv({ KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/unused', NOTIFY_FROM_ADDRESS: 'codes@example.com' });
    expect(() => createContainer(sender)).toThrow(/NOTIFY_FROM_ADDRESS/);
    expect(createContainer(sender, { notifier: { send: async () => undefined } }).self).toBeDefined();
  });
});
