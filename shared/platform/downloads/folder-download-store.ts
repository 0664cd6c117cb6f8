import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download, DownloadStore } from '../ports/index.js';

const ID = /^[0-9a-f-]{36}$/;

/**
 * The local stand-in for S3 downloads: documents sealed (AES-256-GCM) under a key that
 * lives only in this process, so nothing readable rests in the data directory; links are
 * relative, signed and expiring, like presigned URLs, and served by the local API.
 */
export class FolderDownloadStore implements DownloadStore {
  private readonly key = randomBytes(32);

  constructor(
    private readonly folder: string,
    private readonly ttlSeconds = 900,
    readonly pathPrefix = '/local/downloads',
  ) {}

  async offer(document: string, name: string): Promise<Download> {
    await mkdir(this.folder, { recursive: true, mode: 0o700 });
    await this.prune();
    const id = randomUUID();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const sealed = Buffer.concat([cipher.update(document, 'utf8'), cipher.final()]);
    await writeFile(join(this.folder, id), Buffer.concat([iv, cipher.getAuthTag(), sealed]), { mode: 0o600 });
    const expires = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    const query = new URLSearchParams({ name, expires: String(expires), signature: this.sign(id, expires) });
    return { url: `${this.pathPrefix}/${id}?${query}`, expiresAt: new Date(expires * 1000).toISOString(), bytes: Buffer.byteLength(document) };
  }

  /** The document behind a link, or undefined when the link is altered, expired or unknown. */
  async open(id: string, expires: string | null, signature: string | null): Promise<string | undefined> {
    if (!ID.test(id) || !expires || !/^\d{1,12}$/.test(expires) || !signature) return undefined;
    const expected = Buffer.from(this.sign(id, Number(expires)));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(expires) * 1000 < Date.now()) return undefined;
    const file = await readFile(join(this.folder, id)).catch(() => undefined);
    if (!file) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, file.subarray(0, 12));
    decipher.setAuthTag(file.subarray(12, 28));
    return Buffer.concat([decipher.update(file.subarray(28)), decipher.final()]).toString('utf8');
  }

  private sign(id: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${id}:${expires}`).digest('base64url');
  }

  /** Removes what has expired (S3's lifecycle rule does this in AWS). */
  private async prune(): Promise<void> {
    const cutoff = Date.now() - this.ttlSeconds * 1000;
    for (const entry of await readdir(this.folder)) {
      const path = join(this.folder, entry);
      if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
    }
  }
}
