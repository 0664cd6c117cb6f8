import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';

/** Kehu's log groups, by name: its functions' and the HTTP API's access logs. */
export function kehuLogGroupNames(stage: string): string[] {
  return [`/aws/lambda/kehu-${stage}-*`, `/aws/http-api/kehu-${stage}`];
}

/**
 * Lets CloudWatch Logs encrypt and read Kehu's log groups with `key`, and no other log
 * group: Logs names the log group in the encryption context of every call it makes.
 * Readers of the logs need no key permission; Logs decrypts for them.
 */
export function allowLogGroupEncryption(key: kms.Key, stage: string): void {
  const stack = Stack.of(key);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'CloudWatchLogsForKehuLogGroups',
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': kehuLogGroupNames(stage).map((name) => `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${name}`),
        },
      },
    }),
  );
}
