import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SealError } from '../../shared/platform/crypto/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';

const context = { purpose: 'customer-data', customerId: 'cus-1' };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kehu-local-key-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('LocalKeyService.fromFile', () => {
  it('creates a 32-byte key file with mode 0600, creating its folder', async () => {
    const path = join(dir, 'nested', 'deeper', 'master.key');
    const service = LocalKeyService.fromFile(path);
    expect(service).toBeInstanceOf(LocalKeyService);
    expect(readFileSync(path)).toHaveLength(32);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // the folder is private too
    expect(statSync(join(dir, 'nested', 'deeper')).mode & 0o077).toBe(0);
  });

  it('reuses the existing file on a second call', async () => {
    const path = join(dir, 'master.key');
    const first = LocalKeyService.fromFile(path);
    const bytes = readFileSync(path);
    const second = LocalKeyService.fromFile(path);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const { plaintext, wrapped } = await first.generateDataKey(context);
    expect((await second.decryptDataKey(wrapped, context)).equals(plaintext)).toBe(true);
  });

  it('uses a key file that already exists', async () => {
    const path = join(dir, 'master.key');
    const master = randomBytes(32);
    writeFileSync(path, master, { mode: 0o600 });
    const { plaintext, wrapped } = await new LocalKeyService(master).generateDataKey(context);
    expect((await LocalKeyService.fromFile(path).decryptDataKey(wrapped, context)).equals(plaintext)).toBe(true);
  });

  it('refuses a key file of the wrong length', () => {
    const path = join(dir, 'master.key');
    writeFileSync(path, randomBytes(16));
    expect(() => LocalKeyService.fromFile(path)).toThrow(/32 bytes/);
  });
});

describe('LocalKeyService', () => {
  it('refuses a master key that is not 32 bytes', () => {
    expect(() => new LocalKeyService(randomBytes(31))).toThrow(/32 bytes/);
  });

  it('generates distinct 32-byte data keys and wraps them without exposing them', async () => {
    const service = new LocalKeyService(randomBytes(32));
    const a = await service.generateDataKey(context);
    const b = await service.generateDataKey(context);
    expect(a.plaintext).toHaveLength(32);
    expect(a.plaintext.equals(b.plaintext)).toBe(false);
    expect(a.wrapped.includes(a.plaintext)).toBe(false);
    expect(a.wrapped.length).toBe(12 + 32 + 16);
  });

  it('opens a wrapped key under the same context, whatever the order of its keys', async () => {
    const service = new LocalKeyService(randomBytes(32));
    const { plaintext, wrapped } = await service.generateDataKey({ purpose: 'customer-data', customerId: 'cus-1' });
    const opened = await service.decryptDataKey(wrapped, { customerId: 'cus-1', purpose: 'customer-data' });
    expect(opened.equals(plaintext)).toBe(true);
  });

  it('does not open a wrapped key under another context', async () => {
    const service = new LocalKeyService(randomBytes(32));
    const { wrapped } = await service.generateDataKey(context);
    await expect(service.decryptDataKey(wrapped, { ...context, customerId: 'cus-2' })).rejects.toBeInstanceOf(SealError);
    await expect(service.decryptDataKey(wrapped, { purpose: 'blind-index' })).rejects.toBeInstanceOf(SealError);
    await expect(service.decryptDataKey(wrapped, {})).rejects.toBeInstanceOf(SealError);
    await expect(service.decryptDataKey(wrapped, { ...context, extra: 'x' })).rejects.toBeInstanceOf(SealError);
  });

  it('does not open a wrapped key under another master key', async () => {
    const { wrapped } = await new LocalKeyService(randomBytes(32)).generateDataKey(context);
    await expect(new LocalKeyService(randomBytes(32)).decryptDataKey(wrapped, context)).rejects.toBeInstanceOf(SealError);
  });

  it('does not open a tampered or truncated wrapped key', async () => {
    const service = new LocalKeyService(randomBytes(32));
    const { wrapped } = await service.generateDataKey(context);
    const tampered = Buffer.from(wrapped);
    tampered[20] = tampered[20]! ^ 0x01;
    await expect(service.decryptDataKey(tampered, context)).rejects.toBeInstanceOf(SealError);
    await expect(service.decryptDataKey(wrapped.subarray(0, 20), context)).rejects.toBeInstanceOf(SealError);
  });
});
