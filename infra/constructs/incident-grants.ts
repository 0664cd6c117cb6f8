import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { auditTable, dataTable } from '../../shared/platform/store/tables.js';
import { incidentKeyId } from '../../shared/contexts/incidents/keys.js';
import type { DeploymentConfig } from '../config.js';
import { grantAudit, grantNotifier } from './grants.js';

interface IncidentGrantProps {
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  auditTable: dynamodb.ITable;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
  auditKey: kms.IKey;
  bus: events.IEventBus;
}

/**
 * What every function that builds the incident services reads at start-up (BR-1 to BR-4):
 * the contact named in notices and reports, the operator type (China's 4- or 1-hour
 * clock), and where a drill's notices go: the log, never a customer.
 */
export function incidentEnvironment(config: DeploymentConfig): Record<string, string> {
  return {
    INCIDENT_CONTACT: config.incidentContact,
    INCIDENT_OPERATOR_TYPE: config.incidentOperatorType,
    DRILL_SINK: 'log',
    ...(config.securityThresholds ? { SECURITY_THRESHOLDS: config.securityThresholds } : {}),
  };
}

/** The ARN pattern of every incident's own data key, as the key ring names its owner. */
const INCIDENT_KEY_OWNERS = incidentKeyId('*');

/** The tables' storage key, only as DynamoDB uses it on the function's behalf (tables and the audit stream). */
function grantTableEncryption(fn: NodejsFunction, props: IncidentGrantProps) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

/**
 * An incident's free text is sealed under its own data key (owner `incident:<id>`): making
 * and unwrapping those keys only, never a customer's, with Kehu's encryption context.
 */
function grantIncidentKeys(fn: NodejsFunction, props: IncidentGrantProps) {
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'], resources: [props.keysTable.tableArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [props.applicationKey.keyArn],
      conditions: {
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'customerId'] },
        StringEquals: { 'kms:EncryptionContext:purpose': 'customer-data' },
        StringLike: { 'kms:EncryptionContext:customerId': INCIDENT_KEY_OWNERS },
      },
    }),
  );
}

/** Reads and transactions on the data table and the indexes named; nothing is ever deleted. */
function grantIncidentItems(fn: NodejsFunction, props: IncidentGrantProps, indexes: readonly string[]) {
  const table = props.dataTable.tableArn;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      resources: [table, ...indexes.map((index) => `${table}/index/${index}`)],
    }),
  );
  grantTableEncryption(fn, props);
}

/**
 * BR-1 to BR-4, the incidents function: incidents created (with their own data key, in the
 * create transaction) and moved through their states with a version condition, listed
 * through gsi1 and the unclosed index gsi2; scope runs and the notification run started
 * (published on the bus: the incident-work queue does the work); affected customers,
 * notices, counters and report submissions read or appended. Customers stay pseudonymous
 * here: no customer key is opened. The blind-index key (purpose `blind-index`) keys the
 * idempotency records of creates.
 */
export function grantIncidents(fn: NodejsFunction, props: IncidentGrantProps) {
  grantIncidentItems(fn, props, dataTable.indexes.map((index) => index.name));
  grantIncidentKeys(fn, props);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.applicationKey.keyArn],
      conditions: { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose'] }, StringEquals: { 'kms:EncryptionContext:purpose': 'blind-index' } },
    }),
  );
  grantAudit(fn, props, 'append');
  props.bus.grantPutEventsTo(fn);
}

/** SEC-6, the security function: findings listed through gsi1 (family `findings`), read only; no key, no events. */
export function grantSecurityFindings(fn: NodejsFunction, props: IncidentGrantProps) {
  const table = props.dataTable.tableArn;
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], resources: [table, `${table}/index/gsi1`] }));
  grantTableEncryption(fn, props);
  grantAudit(fn, props, 'append');
}

/**
 * BR-1, BR-3, the incident-work consumer. A scope page reads the trail by actor (audit
 * gsi2) or a partner's shares (data gsi1), the candidates' profiles (BatchGetItem), and
 * writes the affected customers and counters in one transaction; a notification page walks
 * the affected partitions and writes one notice per customer. A delivery opens the
 * customer's contact under their key (unwrap only, with Kehu's encryption context) and the
 * incident's text under its own, and mails or texts the notice (a drill's goes to the log).
 * Next pages and queued notices go on the bus. Stalled runs are found on gsi2.
 */
export function grantIncidentWork(fn: NodejsFunction, props: IncidentGrantProps, fromAddress: string | undefined) {
  grantIncidentItems(fn, props, ['gsi1', 'gsi2']);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.keysTable.tableArn] }));
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [props.applicationKey.keyArn],
      conditions: {
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['purpose', 'customerId'] },
        StringEquals: { 'kms:EncryptionContext:purpose': ['customer-data', 'blind-index'] },
      },
    }),
  );
  grantAudit(fn, props, 'append');
  // The scope source `actor`: what one staff member or system touched, by the actor index only.
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.auditTable.tableArn}/index/${auditIndex('gsi2')}`] }));
  props.bus.grantPutEventsTo(fn);
  if (fromAddress) grantNotifier(fn, fromAddress, { sms: true });
}

/**
 * SEC-6, the audit-stream consumer: reads the audit table's stream (the mapping's poller
 * uses the function's role), adds counts per subject and hour and raises findings (data
 * table and gsi1, nothing deleted), and at the incident level opens a draft incident
 * (its own data key, in the create transaction; the scope run published on the bus).
 * Its own audit entries are appended, never changed. It sends nothing to anyone.
 */
export function grantAuditStream(fn: NodejsFunction, props: IncidentGrantProps & { auditStreamArn: string }) {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      resources: [props.auditStreamArn],
    }),
  );
  grantIncidentItems(fn, props, ['gsi1']);
  grantIncidentKeys(fn, props);
  grantAudit(fn, props, 'append');
  props.bus.grantPutEventsTo(fn);
}

/** An audit index by name, checked against the shared definition. */
function auditIndex(name: string): string {
  if (!auditTable.indexes.some((index) => index.name === name)) throw new Error(`The audit table has no index ${name}`);
  return name;
}
