import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { grantNotifier } from './grants.js';

interface ComplaintGrantProps {
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
}

/** Unwrapping a customer's data key (never making one), with Kehu's encryption context. */
function grantUnwrapCustomerKeys(fn: NodejsFunction, props: ComplaintGrantProps) {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.keysTable.tableArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.applicationKey.keyArn],
      conditions: {
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'customerId'] },
        StringEquals: { 'kms:EncryptionContext:purpose': 'customer-data' },
      },
    }),
  );
}

/** The tables' storage key, only as DynamoDB uses it on the function's behalf. */
function grantTableEncryption(fn: NodejsFunction, props: ComplaintGrantProps) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

/**
 * CMP-3, the `complaint-deadlines` job (in the jobs function): reads the schedule (gsi2)
 * and the overdue index (gsi4), and per due complaint writes one transaction (complaint,
 * history, report aggregates added to with UpdateItem; IAM checks each item of a
 * TransactWriteItems by its own action). Retrying a customer notice reads the customer's
 * contact under their key and sends mail, else a text message. Its audit entries and the
 * `ComplaintEscalated` events go through the grants the jobs function already has.
 */
export function grantComplaintDeadlines(fn: NodejsFunction, props: ComplaintGrantProps, fromAddress: string | undefined) {
  const table = props.dataTable.tableArn;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      resources: [table, `${table}/index/gsi2`, `${table}/index/gsi4`],
    }),
  );
  grantUnwrapCustomerKeys(fn, props);
  grantTableEncryption(fn, props);
  if (fromAddress) grantNotifier(fn, fromAddress, { sms: true });
}

/**
 * CMP-3, the escalation announcer: reads the complaint and the policies (the escalation
 * contacts), marks the level announced with a conditional write, and mails staff
 * addresses only, so no text messages. No index is read.
 */
export function grantComplaintAnnouncements(fn: NodejsFunction, props: ComplaintGrantProps, fromAddress: string | undefined) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      resources: [props.dataTable.tableArn],
    }),
  );
  grantUnwrapCustomerKeys(fn, props);
  grantTableEncryption(fn, props);
  if (fromAddress) grantNotifier(fn, fromAddress, { sms: false });
}
