import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { S3AuditAnchor } from '../platform/anchors/s3-audit-anchor.js';
import { S3DownloadStore } from '../platform/downloads/s3-download-store.js';
import { AwsNotifier } from '../platform/notify/index.js';
import type { Config } from './config.js';
import type { Overrides } from './wiring.js';

type Instrument = NonNullable<Overrides['instrument']>;

/** SES for mail and SNS for SMS: only the self-service function sends one-time codes. */
export const awsNotifier = (config: Config, instrument: Instrument): Pick<Overrides, 'notifier'> =>
  config.notifier.provider === 'aws'
    ? { notifier: new AwsNotifier(instrument(new SESv2Client({ region: config.region })), instrument(new SNSClient({ region: config.region })), config.notifier.fromAddress) }
    : {};

/** The downloads bucket: only the functions that answer whole documents (exports) use it. */
export const awsDownloads = (config: Config, instrument: Instrument): Pick<Overrides, 'downloads'> =>
  config.downloads.provider === 's3' ? { downloads: new S3DownloadStore(instrument(new S3Client({ region: config.region })), config.downloads.bucket) } : {};

/** The audit checkpoint bucket: the audit function reads it, the jobs function adds checkpoints. */
export const awsAuditAnchor = (config: Config, instrument: Instrument): Pick<Overrides, 'auditAnchor'> =>
  config.auditAnchor.provider === 's3' ? { auditAnchor: new S3AuditAnchor(instrument(new S3Client({ region: config.region })), config.auditAnchor.bucket) } : {};
