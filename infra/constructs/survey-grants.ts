import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { grantNotifier, type DataAccess } from './grants.js';

interface SurveyGrantProps {
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
}

/**
 * SAT-1 to SAT-3, the surveys function: definitions, dispatch starts (published on the bus),
 * answers sealed under the existing customer's key (only unwrapped: an answer never creates
 * a customer or a key), aggregates added to with UpdateItem, free text read through gsi1,
 * risk flags raised in the answer's transaction. The link tokens are keyed from the
 * blind-index key, which the same Decrypt (purpose `blind-index`) opens.
 */
export const surveysAccess: DataAccess = {
  data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  keys: ['GetItem'],
  kms: ['kms:Decrypt'],
};

/**
 * SAT-3, AN-3, the risk-flags function: flags listed through gsi1 (status), gsi2 (reason)
 * and gsi3 (assignee), closed with a version condition; closing with a complaint opens it
 * as the complaints function does (transaction with counters, acknowledgement to the
 * customer by mail or text message, which reads their contact under their key).
 */
export const riskFlagsAccess: DataAccess = {
  data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  keys: ['GetItem'],
  kms: ['kms:Decrypt'],
};

/** Reads and transactions on the data table and the two indexes named, nothing deleted. */
function grantSurveyItems(fn: NodejsFunction, props: SurveyGrantProps, indexes: readonly string[]) {
  const table = props.dataTable.tableArn;
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
      resources: [table, ...indexes.map((index) => `${table}/index/${index}`)],
    }),
  );
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.storageKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(fn).region}.amazonaws.com` } },
    }),
  );
}

/**
 * SAT-2, the survey-dispatch consumer. A page reads the customer listing (gsi1) or the
 * closed-complaints index (gsi2), the profiles and consents (BatchGetItem), and writes each
 * invitation in one transaction (guard, invitation, pointer, last invitation, counters added
 * to with UpdateItem); the dispatch leaves the unfinished index (gsi2) by being rewritten,
 * so nothing is deleted. A delivery opens the customer's contact under their key (unwrap
 * only, with Kehu's encryption context) and signs the link with a key derived from the
 * blind-index key, then mails or texts it. Next pages go on the bus.
 */
export function grantSurveyDispatch(fn: NodejsFunction, props: SurveyGrantProps & { bus: events.IEventBus }, fromAddress: string | undefined) {
  grantSurveyItems(fn, props, ['gsi1', 'gsi2']);
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
  props.bus.grantPutEventsTo(fn);
  if (fromAddress) grantNotifier(fn, fromAddress, { sms: true });
}

/**
 * SAT-1, SAT-3, the `survey-waves` and `risk-flags` jobs (in the jobs function): the published
 * surveys (gsi1), unfinished dispatches (gsi2) and open flags counted per shard (gsi1); a
 * due wave's dispatch written with an absent condition and its wave recorded on the survey.
 * No customer key: neither job reads personal data. Their events go on the bus the
 * retention grant allows.
 */
export function grantSurveyJobs(fn: NodejsFunction, props: SurveyGrantProps) {
  grantSurveyItems(fn, props, ['gsi1', 'gsi2']);
}
