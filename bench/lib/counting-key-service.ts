import type { EncryptionContext, GeneratedDataKey, KeyService } from '../../shared/platform/ports/index.js';

export interface KeyServiceCalls {
  generateDataKey: number;
  decryptDataKey: number;
  total: number;
}

/** A KeyService that counts the calls it passes on: what KMS would bill and rate-limit. */
export class CountingKeyService implements KeyService {
  private generated = 0;
  private decrypted = 0;

  constructor(private readonly inner: KeyService) {}

  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey> {
    this.generated += 1;
    return this.inner.generateDataKey(context);
  }

  decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer> {
    this.decrypted += 1;
    return this.inner.decryptDataKey(wrapped, context);
  }

  /** Not counted: a process derives the audit key once (cold start), not per request. */
  deriveMacKey(label: string): Promise<Buffer> {
    return this.inner.deriveMacKey(label);
  }

  calls(): KeyServiceCalls {
    return { generateDataKey: this.generated, decryptDataKey: this.decrypted, total: this.generated + this.decrypted };
  }
}

export const callsBetween = (before: KeyServiceCalls, after: KeyServiceCalls): KeyServiceCalls => ({
  generateDataKey: after.generateDataKey - before.generateDataKey,
  decryptDataKey: after.decryptDataKey - before.decryptDataKey,
  total: after.total - before.total,
});
