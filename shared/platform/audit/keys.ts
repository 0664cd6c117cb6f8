import { createHmac } from 'node:crypto';
import type { KeyService } from '../ports/index.js';

/** The one label the key service derives the audit root key for (one KMS call per process). */
export const AUDIT_KEY_LABEL = 'kehu:audit:1';

/** `list-cursor` authenticates every pagination cursor the API hands out (every function may derive it). */
export type AuditKeyUse = 'chain' | 'checkpoint' | 'verify-cursor' | 'list-cursor';

/**
 * The audit trail's keys: one root key from the key service (GenerateMac under the KMS
 * HMAC key in AWS, the key file locally), asked for once per process, and a key per use
 * derived from it. None is ever written anywhere; whoever can write the table but not use
 * the key service cannot make an entry, a checkpoint or a cursor that verifies.
 */
export class AuditKeys {
  private root?: Promise<Buffer>;
  private readonly derived = new Map<AuditKeyUse, Buffer>();

  constructor(private readonly keyService: Pick<KeyService, 'deriveMacKey'>) {}

  async key(use: AuditKeyUse): Promise<Buffer> {
    const known = this.derived.get(use);
    if (known) return known;
    this.root ??= this.keyService.deriveMacKey(AUDIT_KEY_LABEL).catch((error: unknown) => {
      this.root = undefined;
      throw error;
    });
    const key = createHmac('sha256', await this.root).update(`kehu:audit-${use}:1`, 'utf8').digest();
    this.derived.set(use, key);
    return key;
  }
}
