import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UnavailableError } from '../errors/index.js';
import type { AuditAnchor } from '../ports/index.js';

const PREFIX = 'checkpoints/';
/** Greater than any time in ms until the year 2286: names hold `LATEST_MS - time`, so the newest sorts first. */
const LATEST_MS = 9_999_999_999_999;

/** `checkpoints/<inverted ms>_<ISO time>.json`: S3 lists keys in ascending order, so the first is the newest. */
export const checkpointObjectKey = (at: string): string =>
  `${PREFIX}${String(LATEST_MS - Date.parse(at)).padStart(13, '0')}_${at}.json`;

const timeOf = (key: string): string => key.slice(PREFIX.length).replace(/^\d{13}_/, '').replace(/\.json$/, '');

/**
 * Checkpoints in an S3 bucket with Object Lock and versioning: every object is kept for the
 * retention period even against its writer, and the functions may put and read, never
 * delete. A put never replaces an object (`If-None-Match: *`), so a checkpoint once written
 * stays the one under its name.
 */
export class S3AuditAnchor implements AuditAnchor {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async append(at: string, document: string): Promise<void> {
    await this.call(() =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: checkpointObjectKey(at),
          Body: document,
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      ),
    );
  }

  async latest(): Promise<{ at: string; document: string } | undefined> {
    const listed = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: PREFIX, MaxKeys: 1 })));
    const key = listed.Contents?.[0]?.Key;
    if (!key) return undefined;
    const object = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })));
    const document = (await object.Body?.transformToString('utf8')) ?? '';
    return { at: timeOf(key), document };
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new UnavailableError('audit-anchor', { cause: error });
    }
  }
}
