import {
  DecryptCommand,
  GenerateDataKeyCommand,
  IncorrectKeyException,
  InvalidCiphertextException,
  KMSClient,
  KMSInternalException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealError } from '../../shared/platform/crypto/index.js';
import { UnavailableError } from '../../shared/platform/errors/index.js';
import { KmsKeyService } from '../../shared/platform/keys/index.js';

const KEY_ID = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const context = { purpose: 'customer-data', customerId: 'cus-1' };

const kmsMock = mockClient(KMSClient);
const client = new KMSClient({ region: 'eu-central-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const service = new KmsKeyService(client, KEY_ID);

const plaintext = Uint8Array.from({ length: 32 }, (_, i) => i);
const blob = Uint8Array.from({ length: 64 }, (_, i) => 255 - i);

const metadata = { httpStatusCode: 400, $metadata: {} };

/** The failures a call may meet, and what KmsKeyService must turn them into. */
const unavailable: Array<[string, () => Error]> = [
  ['ThrottlingException (plain Error)', () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })],
  ['network error', () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' })],
  ['timeout', () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })],
  // KMS models no AccessDeniedException class; the SDK raises it as a generic service error.
  [
    'AccessDeniedException',
    () => Object.assign(new Error('User is not authorized to perform kms:Decrypt'), { name: 'AccessDeniedException', $fault: 'client' }),
  ],
  ['KMSInternalException', () => new KMSInternalException({ message: 'internal', ...metadata })],
];
const integrity: Array<[string, () => Error]> = [
  ['InvalidCiphertextException', () => new InvalidCiphertextException({ message: 'bad', ...metadata })],
  ['IncorrectKeyException', () => new IncorrectKeyException({ message: 'wrong key', ...metadata })],
  ['InvalidCiphertextException (plain Error)', () => Object.assign(new Error('x'), { name: 'InvalidCiphertextException' })],
];

beforeEach(() => kmsMock.reset());
afterEach(() => kmsMock.reset());

describe('KmsKeyService.generateDataKey', () => {
  it('sends KeyId, KeySpec AES_256 and the exact encryption context', async () => {
    kmsMock.on(GenerateDataKeyCommand).resolves({ Plaintext: plaintext, CiphertextBlob: blob, KeyId: KEY_ID });
    const out = await service.generateDataKey(context);
    const calls = kmsMock.commandCalls(GenerateDataKeyCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: context });
    expect(Buffer.isBuffer(out.plaintext)).toBe(true);
    expect(out.plaintext.equals(Buffer.from(plaintext))).toBe(true);
    expect(out.wrapped.equals(Buffer.from(blob))).toBe(true);
  });

  it('passes the blind-index context unchanged', async () => {
    kmsMock.on(GenerateDataKeyCommand).resolves({ Plaintext: plaintext, CiphertextBlob: blob });
    await service.generateDataKey({ purpose: 'blind-index' });
    expect(kmsMock.commandCalls(GenerateDataKeyCommand)[0]!.args[0].input.EncryptionContext).toEqual({ purpose: 'blind-index' });
  });

  it('treats an answer without key material as unavailable', async () => {
    kmsMock.on(GenerateDataKeyCommand).resolves({ CiphertextBlob: blob });
    await expect(service.generateDataKey(context)).rejects.toMatchObject({ dependency: 'key-service' });
    await expect(service.generateDataKey(context)).rejects.toBeInstanceOf(UnavailableError);
  });

  it.each(unavailable)('maps %s to UnavailableError(key-service)', async (_, error) => {
    const cause = error();
    kmsMock.on(GenerateDataKeyCommand).rejects(cause);
    const failure = await service.generateDataKey(context).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({ kind: 'unavailable', dependency: 'key-service' });
    expect((failure as Error).message).not.toContain(cause.message);
  });
});

describe('KmsKeyService.decryptDataKey', () => {
  it('sends KeyId, the ciphertext and the exact encryption context', async () => {
    kmsMock.on(DecryptCommand).resolves({ Plaintext: plaintext, KeyId: KEY_ID });
    const out = await service.decryptDataKey(Buffer.from(blob), context);
    const calls = kmsMock.commandCalls(DecryptCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.KeyId).toBe(KEY_ID);
    expect(input.EncryptionContext).toEqual(context);
    expect(Buffer.from(input.CiphertextBlob!).equals(Buffer.from(blob))).toBe(true);
    expect(out.equals(Buffer.from(plaintext))).toBe(true);
  });

  it('treats an answer without plaintext as unavailable', async () => {
    kmsMock.on(DecryptCommand).resolves({});
    await expect(service.decryptDataKey(Buffer.from(blob), context)).rejects.toBeInstanceOf(UnavailableError);
  });

  it.each(unavailable)('maps %s to UnavailableError(key-service)', async (_, error) => {
    kmsMock.on(DecryptCommand).rejects(error());
    const failure = await service.decryptDataKey(Buffer.from(blob), context).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnavailableError);
    expect(failure).toMatchObject({ dependency: 'key-service' });
    expect(failure).not.toBeInstanceOf(SealError);
  });

  it.each(integrity)('maps %s to SealError', async (_, error) => {
    kmsMock.on(DecryptCommand).rejects(error());
    const failure = await service.decryptDataKey(Buffer.from(blob), context).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SealError);
    expect(failure).not.toBeInstanceOf(UnavailableError);
  });

  it('keeps the original error as the cause of UnavailableError', async () => {
    const cause = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    kmsMock.on(DecryptCommand).rejects(cause);
    const failure = (await service.decryptDataKey(Buffer.from(blob), context).catch((e: unknown) => e)) as Error;
    expect(failure.cause).toBe(cause);
  });
});
