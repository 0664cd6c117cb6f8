/** Non-secret context bound to a wrapped key; unwrapping with another context fails. */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface GeneratedDataKey {
  /** 32 bytes, to be used and forgotten; never stored. */
  plaintext: Buffer;
  /** The key wrapped under the master key; safe to store. */
  wrapped: Buffer;
}

/**
 * Wraps and unwraps data keys under a master key (KMS in AWS, a key file locally).
 * Failures to reach the master key surface as `UnavailableError('key-service')`.
 */
export interface KeyService {
  generateDataKey(context: EncryptionContext): Promise<GeneratedDataKey>;
  decryptDataKey(wrapped: Buffer, context: EncryptionContext): Promise<Buffer>;
  /**
   * A 32-byte key derived from the master MAC key for `label` (KMS GenerateMac under an
   * HMAC key in AWS, HMAC under the key file locally): the same label gives the same key in
   * every process, and the key is never stored. The audit trail keys its chains with it.
   */
  deriveMacKey(label: string): Promise<Buffer>;
}
