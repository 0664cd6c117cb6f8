import { randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { UnavailableError } from '../errors/index.js';
import type { Download, DownloadStore } from '../ports/index.js';

/**
 * Downloads in S3: each document under a random key, encrypted by the bucket's default
 * (KMS), fetched through a presigned GET that expires; a lifecycle rule removes the
 * objects a day later.
 */
export class S3DownloadStore implements DownloadStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly ttlSeconds = 900,
  ) {}

  async offer(document: string, name: string): Promise<Download> {
    const key = `downloads/${randomUUID()}/${name}`;
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: document,
          ContentType: 'application/json',
          ContentDisposition: `attachment; filename="${name}"`,
        }),
      );
      const url = await getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: this.ttlSeconds });
      return { url, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000).toISOString(), bytes: Buffer.byteLength(document) };
    } catch (error) {
      throw new UnavailableError('download-store', { cause: error });
    }
  }
}
