import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EncryptionContext, GeneratedDataKey, KeyService } from '../ports/index.js';
import { SealError } from '../crypto/errors.js';

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Context as stable bytes, whatever the order of its keys. */
const contextBytes = (context: EncryptionContext): Buffer =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))), 'utf8');

/**
 * KeyService for the laptop: a 256-bit master key in a file (mode 0600) plays KMS. Data
 * keys are wrapped with AES-256-GCM, the encryption context as additional data, so a
 * wrapped key only opens under the context it was made for, as with KMS.
 */
export class LocalKeyService implements KeyService {
  constructor(private readonly masterKey: Buffer) {
    if (masterKey.length !== MASTER_KEY_BYTES) throw new Error('The local master key must be 32 bytes.');
  }

  /** Reads the key file, creating it (and its folder) on first use. */
  static fromFile(path: string): LocalKeyService {
    try {
      return new LocalKeyService(readFileSync(path));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const key = randomBytes(MASTER_KEY_BYTES);
    // 'wx' fails if another process created it meanwhile; then read theirs.
    try {
      writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
      chmodSync(path, 0o600);
      return new LocalKeyService(key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return new LocalKeyService(readFileSync(path));
    }
  }

  /** HMAC under a key of its own, derived from the master key: MACs and wrapping never share a key. */
  async deriveMacKey(label: string): Promise<Buffer> {
    const macKey = createHmac('sha256', this.masterKey).update('kehu:local-mac-key:1', 'utf8').digest();
    return createHmac('sha256', macKey).update(label, 'utf8').digest();
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const plaintext = randomBytes(32);
    return { plaintext, wrapped: this.wrap(plaintext, context) };
  }

  async decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    if (wrapped.length < IV_BYTES + TAG_BYTES) throw new SealError('Malformed wrapped key.');
    const iv = wrapped.subarray(0, IV_BYTES);
    const tag = wrapped.subarray(wrapped.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(contextBytes(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(wrapped.subarray(IV_BYTES, wrapped.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new SealError('The wrapped key does not open under this master key and context.');
    }
  }

  private wrap(plaintext: Buffer, context: EncryptionContext): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(contextBytes(context));
    return Buffer.concat([iv, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }
}
