import { Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { auditTable, dataTable } from '../../shared/platform/store/tables.js';

/**
 * The grants the stacks give their functions, each the least its callers need: a table's
 * indexes by name (never a wildcard), keys only with Kehu's encryption context or through
 * the service that uses them, the audit trail append-only.
 */

/** What a function may do to the tables and the application key. An empty list grants nothing. */
export interface DataAccess {
  data: string[];
  keys: string[];
  kms: string[];
}

export interface CustomerDataProps {
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
}

/**
 * A retention sweep reads the retention index, deletes expired interactions, writes
 * certificates, reads the blind-index key (for pseudonymous references) and hands
 * expired customers to the erasure queue through the bus.
 */
export function grantRetention(
  fn: NodejsFunction,
  props: { dataTable: dynamodb.ITable; keysTable: dynamodb.ITable; auditTable: dynamodb.ITable; storageKey: kms.IKey; applicationKey: kms.IKey; auditKey: kms.IKey; bus: events.IEventBus },
) {
  const table = props.dataTable.tableArn;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [table, `${table}/index/gsi1`, `${table}/index/gsi3`],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.keysTable.tableArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.applicationKey.keyArn],
      conditions: { StringEquals: { 'kms:EncryptionContext:purpose': 'blind-index' } },
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
  props.bus.grantPutEventsTo(fn);
  grantAudit(fn, props, 'append');
}

/**
 * The trail is append-only: functions may add entries and read them, never change or
 * remove one, and an explicit deny says so whatever else a role is given later.
 */
export function grantAudit(fn: NodejsFunction, props: { auditTable: dynamodb.ITable; storageKey: kms.IKey; auditKey: kms.IKey }, access: 'append' | 'read') {
  const table = props.auditTable.tableArn;
  // The audit key: derived once per cold start by GenerateMac; no other use of the HMAC key.
  fn.addEnvironment('AUDIT_KEY_ID', props.auditKey.keyArn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateMac'],
      resources: [props.auditKey.keyArn],
      conditions: { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } },
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: access === 'append' ? ['dynamodb:PutItem', 'dynamodb:Query'] : ['dynamodb:Query'],
      resources: access === 'append' ? [table] : [table, ...auditTable.indexes.map((i) => `${table}/index/${i.name}`)],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'],
      resources: [table],
    }),
  );
  if (access === 'read') {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:DescribeKey'],
        resources: [props.storageKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
      }),
    );
  }
}

/**
 * Audit checkpoints: the jobs function adds them, the audit function reads the latest;
 * neither may delete one or change a retention (Object Lock keeps every version anyway),
 * and they list only the `checkpoints/` prefix. The storage key only as S3 uses it for the bucket.
 */
export function grantAuditCheckpoints(fn: NodejsFunction, bucket: s3.IBucket, storageKey: kms.IKey, access: 'write' | 'read') {
  fn.addEnvironment('AUDIT_CHECKPOINT_BUCKET', bucket.bucketName);
  const objects = bucket.arnForObjects('checkpoints/*');
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: access === 'write' ? ['s3:PutObject', 's3:GetObject'] : ['s3:GetObject'], resources: [objects] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn], conditions: { StringLike: { 's3:prefix': 'checkpoints/*' } } }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: access === 'write' ? ['kms:GenerateDataKey', 'kms:Decrypt'] : ['kms:Decrypt'],
      resources: [storageKey.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `s3.${Stack.of(fn).region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn },
      },
    }),
  );
  if (fn.role) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${asNagNames(Stack.of(fn).resolve(objects))}]`,
      reason: 'Each checkpoint is a new object under checkpoints/ named by its time: put (never over an existing one) and get on those objects only, no delete; Object Lock keeps every version.',
    });
  }
}

/**
 * Downloads: put a document under `downloads/` and sign the GET that fetches it (a
 * presigned URL carries the function's own permissions), no listing, no deletes. The
 * storage key only as S3 uses it for this bucket (bucket keys: the context is the bucket).
 */
export function grantDownloads(fn: NodejsFunction, bucket: s3.IBucket, storageKey: kms.IKey) {
  const objects = bucket.arnForObjects('downloads/*');
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject'], resources: [objects] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [storageKey.keyArn],
      conditions: {
        StringEquals: {
          'kms:ViaService': `s3.${Stack.of(fn).region}.amazonaws.com`,
          'kms:EncryptionContext:aws:s3:arn': bucket.bucketArn,
        },
      },
    }),
  );
  if (fn.role) {
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${asNagNames(Stack.of(fn).resolve(objects))}]`,
      reason: 'Each download is a new object under downloads/ with a random name: put and get on those objects only, no list or delete, nothing else in the bucket.',
    });
  }
}

/** A resolved ARN as cdk-nag names it in a finding: each reference as `<Name>`. */
function asNagNames(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (v['Fn::Join']) return v['Fn::Join'][1].map(asNagNames).join(v['Fn::Join'][0]);
  if (v.Ref) return `<${v.Ref}>`;
  return JSON.stringify(value);
}

/** A context's function on customer data: the data table and its indexes, keys, the application key as `access` says. */
export function grantCustomerData(fn: NodejsFunction, props: CustomerDataProps, access: DataAccess) {
  // Each index by name, from the table definition: no wildcard.
  const arnsOf = (table: dynamodb.ITable) => [table.tableArn, ...dataTable.indexes.map((i) => `${table.tableArn}/index/${i.name}`)];
  if (access.data.length) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access.data.map((a) => `dynamodb:${a}`),
        resources: arnsOf(props.dataTable),
      }),
    );
  }
  if (access.keys.length) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access.keys.map((a) => `dynamodb:${a}`),
        resources: [props.keysTable.tableArn],
      }),
    );
  }
  // The tables' storage key, only as DynamoDB uses it on the function's behalf.
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
  // The application key: data keys only, and only with Kehu's encryption context.
  if (access.kms.length) {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: access.kms,
        resources: [props.applicationKey.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'customerId'] },
          StringEquals: { 'kms:EncryptionContext:purpose': ['customer-data', 'blind-index'] },
        },
      }),
    );
  }
}

/**
 * Sending through the Notifier: SES mail from `fromAddress` (its identity, or its domain's),
 * and with `sms` SNS text messages to a phone number, which have no resource to name.
 */
export function grantNotifier(fn: NodejsFunction, fromAddress: string, { sms }: { sms: boolean }) {
  const stack = Stack.of(fn);
  const domain = fromAddress.split('@')[1]!;
  fn.addEnvironment('NOTIFY_FROM_ADDRESS', fromAddress);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [`arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/${domain}`, `arn:${stack.partition}:ses:${stack.region}:${stack.account}:identity/${fromAddress}`],
    }),
  );
  if (sms) fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] }));
}
