import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { FileAuditAnchor } from '../../shared/platform/anchors/index.js';
import { checkpointObjectKey, S3AuditAnchor } from '../../shared/platform/anchors/s3-audit-anchor.js';
import { AUDIT_KEY_LABEL, AuditKeys } from '../../shared/platform/audit/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { KmsKeyService, LocalKeyService } from '../../shared/platform/keys/index.js';
import { ConfigError, configFromEnv, createContainer } from '../../shared/runtime/index.js';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

describe('audit key', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());

  it('comes from one GenerateMac over a fixed label under the HMAC key, per process', async () => {
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(32).fill(7) });
    const keys = new AuditKeys(new KmsKeyService(new KMSClient({ region: 'eu-central-1', credentials }), 'data-key', 'audit-hmac-key'));
    const [chain, checkpoint, again] = await Promise.all([keys.key('chain'), keys.key('checkpoint'), keys.key('chain')]);
    expect(chain).toEqual(again);
    expect(chain).not.toEqual(checkpoint);
    const calls = kms.commandCalls(GenerateMacCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toMatchObject({ KeyId: 'audit-hmac-key', MacAlgorithm: 'HMAC_SHA_256' });
    expect(Buffer.from(calls[0]!.args[0].input.Message!).toString('utf8')).toBe(AUDIT_KEY_LABEL);
  });

  it('is unavailable (503) while KMS fails, and asked for again afterwards', async () => {
    kms.on(GenerateMacCommand).rejectsOnce(new Error('throttled')).resolves({ Mac: new Uint8Array(32).fill(1) });
    const keys = new AuditKeys(new KmsKeyService(new KMSClient({ region: 'eu-central-1', credentials }), 'data-key', 'audit-hmac-key'));
    await expect(keys.key('chain')).rejects.toBeInstanceOf(UnavailableError);
    await expect(keys.key('chain')).resolves.toHaveLength(32);
  });

  it('differs between master key files and never equals the master key', async () => {
    const one = await new LocalKeyService(Buffer.alloc(32, 1)).deriveMacKey(AUDIT_KEY_LABEL);
    expect(one).toEqual(await new LocalKeyService(Buffer.alloc(32, 1)).deriveMacKey(AUDIT_KEY_LABEL));
    expect(one).not.toEqual(await new LocalKeyService(Buffer.alloc(32, 2)).deriveMacKey(AUDIT_KEY_LABEL));
    expect(one).not.toEqual(Buffer.alloc(32, 1));
  });
});

describe('S3 audit anchor', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());
  const anchor = () => new S3AuditAnchor(new S3Client({ region: 'eu-central-1', credentials }), 'kehu-test-audit-checkpoints');

  it('adds each checkpoint under a new name, never over an existing object', async () => {
    s3.on(PutObjectCommand).resolves({});
    await anchor().append('2026-11-23T12:00:00.000Z', '{"heads":[]}');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: 'kehu-test-audit-checkpoints', Key: checkpointObjectKey('2026-11-23T12:00:00.000Z'), IfNoneMatch: '*' });
  });

  it('names checkpoints so that the newest is listed first, and reads only that one', async () => {
    const older = checkpointObjectKey('2026-11-23T12:00:00.000Z');
    const newer = checkpointObjectKey('2026-11-23T12:15:00.000Z');
    expect([older, newer].sort()).toEqual([newer, older]);
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: newer }] });
    // The SDK's stream body, as far as the anchor uses it.
    const body = { transformToString: async () => '{"checkpoint":2}' } as unknown as GetObjectCommandOutput['Body'];
    s3.on(GetObjectCommand).resolves({ Body: body });
    expect(await anchor().latest()).toEqual({ at: '2026-11-23T12:15:00.000Z', document: '{"checkpoint":2}' });
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Prefix: 'checkpoints/', MaxKeys: 1 });
  });

  it('answers 503 (audit-anchor) when S3 fails, and nothing when the bucket holds no checkpoint', async () => {
    s3.on(ListObjectsV2Command).rejects(new Error('AccessDenied'));
    await expect(anchor().latest()).rejects.toMatchObject({ dependency: 'audit-anchor' });
    s3.on(ListObjectsV2Command).resolves({ KeyCount: 0 });
    await expect(anchor().latest()).resolves.toBeUndefined();
  });

  it('is wired only into functions built with it: the bucket named without its adapter fails at cold start', () => {
    const config = configFromEnv({ KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/tmp/unused', AUDIT_CHECKPOINT_BUCKET: 'kehu-test-audit-checkpoints' });
    expect(() => createContainer(config)).toThrow(ConfigError);
  });
});

describe('file audit anchor', () => {
  it('appends one line per checkpoint and answers the last', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'kehu-anchor-')), 'sub', 'audit-checkpoints.log');
    const anchor = new FileAuditAnchor(path);
    expect(await anchor.latest()).toBeUndefined();
    await anchor.append('2026-11-23T12:00:00.000Z', '{"n":1}');
    await anchor.append('2026-11-23T12:15:00.000Z', '{"n":2}');
    expect(await anchor.latest()).toEqual({ at: '2026-11-23T12:15:00.000Z', document: '{"n":2}' });
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
