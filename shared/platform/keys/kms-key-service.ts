import { DecryptCommand, GenerateDataKeyCommand, GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import { UnavailableError } from '../errors/index.js';
import type { EncryptionContext, GeneratedDataKey, KeyService } from '../ports/index.js';
import { SealError } from '../crypto/errors.js';

/** Ciphertext that KMS refuses as such: tampered, or bound to another context or key. */
const INTEGRITY_ERRORS = new Set(['InvalidCiphertextException', 'IncorrectKeyException']);

/**
 * KeyService on AWS KMS: `GenerateDataKey` and `Decrypt` under one customer-managed key,
 * with the encryption context (customer id) bound to every wrapped key and logged by
 * CloudTrail. MAC keys come from a second key, an HMAC key (`GENERATE_VERIFY_MAC`): its
 * GenerateMac over a fixed label is the derived key, so a process calls KMS once per label.
 */
export class KmsKeyService implements KeyService {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    private readonly macKeyId?: string,
  ) {}

  async deriveMacKey(label: string): Promise<Buffer> {
    const keyId = this.macKeyId;
    if (!keyId) throw new Error('No HMAC key is configured (AUDIT_KEY_ID): this function cannot key the audit trail.');
    const out = await this.call(() =>
      this.kms.send(new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(label, 'utf8') })),
    );
    if (!out.Mac) throw new UnavailableError('key-service');
    return Buffer.from(out.Mac);
  }

  async generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    const out = await this.call(() =>
      this.kms.send(new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } })),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new UnavailableError('key-service');
    return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
  }

  async decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    const out = await this.call(() =>
      this.kms.send(new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: wrapped, EncryptionContext: { ...context } })),
    );
    if (!out.Plaintext) throw new UnavailableError('key-service');
    return Buffer.from(out.Plaintext);
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = (error as { name?: string }).name ?? '';
      if (INTEGRITY_ERRORS.has(name)) throw new SealError(`The key service refused a wrapped key (${name}).`);
      throw new UnavailableError('key-service', { cause: error });
    }
  }
}
