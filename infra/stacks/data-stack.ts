import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { auditTable, dataTable, keysTable } from '../../shared/store/tables.js';
import type { DeploymentConfig } from '../config.js';
import { KehuTable } from '../constructs/table.js';

export interface DataStackProps extends StackProps {
  config: DeploymentConfig;
}

/**
 * Tables, keys, backups and the downloads bucket. Two customer-managed keys, both rotated
 * yearly: the storage key encrypts tables, backups and downloads at rest; the application
 * key wraps per-customer data keys and is the only key the functions may use directly.
 */
export class DataStack extends Stack {
  readonly storageKey: kms.Key;
  readonly applicationKey: kms.Key;
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
      description: 'Kehu: encryption at rest of tables and backups',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.applicationKey = new kms.Key(this, 'ApplicationKey', {
      alias: `alias/kehu-${config.stage}-application`,
      description: 'Kehu: wraps per-customer data keys (envelope encryption of personal fields)',
      enableKeyRotation: true,
      removalPolicy,
    });

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
