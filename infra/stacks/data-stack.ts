import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { auditTable, dataTable, keysTable } from '../../shared/platform/store/tables.js';
import type { DeploymentConfig } from '../config.js';
import { allowLogGroupEncryption } from '../constructs/log-encryption.js';
import { KehuTable } from '../constructs/table.js';

export interface DataStackProps extends StackProps {
  config: DeploymentConfig;
}

/**
 * Tables, keys, backups and the downloads bucket. Two customer-managed keys, both rotated
 * yearly: the storage key encrypts tables, backups, downloads and log groups at rest; the application
 * key wraps per-customer data keys and is the only key the functions may use directly.
 */
export class DataStack extends Stack {
  readonly storageKey: kms.Key;
  readonly applicationKey: kms.Key;
  /** HMAC key the audit trail's key is derived from (GenerateMac); never leaves KMS. */
  readonly auditKey: kms.Key;
  /**
   * Checkpoints of the audit chains' heads, under Object Lock: named like the downloads
   * bucket so that other stacks name its ARNs themselves.
   */
  readonly auditCheckpointBucketName: string;
  readonly dataTable: dynamodb.Table;
  readonly keysTable: dynamodb.Table;
  readonly auditTable: dynamodb.Table;
  readonly downloadsBucket: s3.Bucket;
  /**
   * The bucket's name, made of the stage, account and region only, so that other stacks
   * name its ARNs themselves instead of importing them.
   */
  readonly downloadsBucketName: string;
  readonly tablePrefix: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    this.tablePrefix = `kehu-${config.stage}`;

    this.storageKey = new kms.Key(this, 'StorageKey', {
      alias: `alias/kehu-${config.stage}-storage`,
      description: 'Kehu: encryption at rest of tables, backups, downloads and logs',
      enableKeyRotation: true,
      removalPolicy,
    });
    allowLogGroupEncryption(this.storageKey, config.stage);
    this.applicationKey = new kms.Key(this, 'ApplicationKey', {
      alias: `alias/kehu-${config.stage}-application`,
      description: 'Kehu: wraps per-customer data keys (envelope encryption of personal fields)',
      enableKeyRotation: true,
      removalPolicy,
    });

    // Audit chains are MACed under a key derived from this one by GenerateMac over a fixed
    // label: whoever can write the audit table but not call GenerateMac cannot forge an entry.
    this.auditKey = new kms.Key(this, 'AuditKey', {
      alias: `alias/kehu-${config.stage}-audit`,
      description: 'Kehu: HMAC key the audit trail key is derived from (tamper evidence of the audit chains and their checkpoints)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      removalPolicy,
    });
    const noRotation =
      'An HMAC key: KMS cannot rotate HMAC keys, and a new key would make every existing chain unverifiable. Its use is limited to GenerateMac by the functions that append to or verify the audit trail.';
    Validations.of(this.auditKey).acknowledge({ id: 'AwsSolutions-KMS5', reason: noRotation });
    Validations.of(this.auditKey).acknowledge({ id: 'NIST.800.53.R5-KMSBackingKeyRotationEnabled', reason: noRotation });

    const table = (tid: string, definition: typeof dataTable) =>
      new KehuTable(this, tid, { definition, prefix: this.tablePrefix, encryptionKey: this.storageKey, removalPolicy }).table;
    this.dataTable = table('Data', dataTable);
    this.keysTable = table('Keys', keysTable);
    this.auditTable = table('Audit', auditTable);

    // Documents too large for an HTTP answer, fetched through a link that expires after
    // 15 minutes and removed by the lifecycle rule a day later. Retained whatever the
    // removal policy: CloudFormation cannot delete a bucket that still holds objects.
    this.downloadsBucketName = `kehu-${config.stage}-downloads-${this.account}-${this.region}`;
    this.downloadsBucket = new s3.Bucket(this, 'Downloads', {
      bucketName: this.downloadsBucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.storageKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: false,
      lifecycleRules: [{ id: 'expire-downloads', expiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) }],
      // A browser that follows the 303 arrives from another origin (sent as "null"); the
      // presigned link itself is the credential, so any origin may read with it.
      cors: [{ allowedMethods: [s3.HttpMethods.GET], allowedOrigins: ['*'], maxAge: 600 }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.downloadsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'No server access logs: an object lives at most a day, each is written by an API request that the audit trail records, and its presigned link expires after 15 minutes.',
    });
    Validations.of(this.downloadsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketLoggingEnabled',
      reason:
        'No server access logs: an object lives at most a day, each is written by an API request that the audit trail records, and its presigned link expires after 15 minutes.',
    });
    Validations.of(this.downloadsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketVersioningEnabled',
      reason:
        'Unversioned on purpose: each object is a one-off copy of personal data, written once under a random name; versions would keep that copy after the lifecycle rule deletes it.',
    });
    Validations.of(this.downloadsBucket).acknowledge({
      id: 'NIST.800.53.R5-S3BucketReplicationEnabled',
      reason:
        'Not replicated on purpose: the bucket holds only day-old copies of personal data that the tables can produce again; a replica would copy it to a second region and outlive an erasure.',
    });

    // Audit checkpoints (SEC-4): every chain's last sequence number and MAC, added every 15
    // minutes by the jobs function. Object Lock keeps every version for the retention period
    // even against its writer (compliance mode where data is retained; governance mode, which
    // a privileged operator may lift, on stages that are torn down); the functions may put
    // and read, never delete. Retained whatever the removal policy.
    this.auditCheckpointBucketName = `kehu-${config.stage}-audit-checkpoints-${this.account}-${this.region}`;
    const lockDays = Duration.days(Math.max(365, config.backupRetentionDays));
    const checkpoints = new s3.Bucket(this, 'AuditCheckpoints', {
      bucketName: this.auditCheckpointBucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.storageKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      objectLockEnabled: true,
      objectLockDefaultRetention:
        config.removalPolicy === 'retain' ? s3.ObjectLockRetention.compliance(lockDays) : s3.ObjectLockRetention.governance(lockDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const checkpointReasons: Record<string, string> = {
      'AwsSolutions-S1':
        'No server access logs: the objects are written only by the checkpoint job, CloudTrail records the API calls, and Object Lock keeps every version whatever is attempted.',
      'NIST.800.53.R5-S3BucketLoggingEnabled':
        'No server access logs: the objects are written only by the checkpoint job, CloudTrail records the API calls, and Object Lock keeps every version whatever is attempted.',
      'NIST.800.53.R5-S3BucketReplicationEnabled':
        'Not replicated: a checkpoint only anchors the audit table of this region, which is backed up in this region; Object Lock already keeps every checkpoint for the retention period.',
    };
    for (const [id, reason] of Object.entries(checkpointReasons)) Validations.of(checkpoints).acknowledge({ id, reason });

    const vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `kehu-${config.stage}`,
      encryptionKey: this.storageKey,
      removalPolicy,
    });
    const daily = (name: string, days: number) =>
      new backup.BackupPlanRule({
        ruleName: name,
        scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
        deleteAfter: Duration.days(days),
      });
    // Customer data and the audit trail: daily, kept `backupRetentionDays` (35 by default).
    const dataPlan = new backup.BackupPlan(this, 'DataBackup', {
      backupPlanName: `kehu-${config.stage}-data`,
      backupVault: vault,
      backupPlanRules: [daily('daily', config.backupRetentionDays)],
    });
    dataPlan.addSelection('Data', {
      resources: [backup.BackupResource.fromDynamoDbTable(this.dataTable), backup.BackupResource.fromDynamoDbTable(this.auditTable)],
    });
    // Wrapped keys: a short window, because an erased customer's key must leave backups
    // too; after `keyBackupRetentionDays` no backup can open that customer's data.
    const keysPlan = new backup.BackupPlan(this, 'KeysBackup', {
      backupPlanName: `kehu-${config.stage}-keys`,
      backupVault: vault,
      backupPlanRules: [daily('daily', config.keyBackupRetentionDays)],
    });
    keysPlan.addSelection('Keys', { resources: [backup.BackupResource.fromDynamoDbTable(this.keysTable)] });

    for (const plan of [dataPlan, keysPlan]) {
      Validations.of(plan).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        reason: 'AWS Backup runs under AWSBackupServiceRolePolicyForBackup, the AWS-maintained policy AWS recommends for backup selections.',
      });
    }
  }
}
