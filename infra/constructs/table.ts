import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { physicalTableName, type TableDefinition } from '../../shared/platform/store/tables.js';

export interface KehuTableProps {
  definition: TableDefinition;
  prefix: string;
  encryptionKey: kms.IKey;
  removalPolicy: RemovalPolicy;
}

/**
 * A table built from the shared definition (the local bootstrap reads the same one):
 * on-demand, encrypted with the customer-managed key, point-in-time recovery, deletion
 * protection, and a stream where the definition asks for one.
 */
export class KehuTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, { definition, prefix, encryptionKey, removalPolicy }: KehuTableProps) {
    super(scope, id);
    const attribute = (a: { name: string; type: 'S' | 'N' }) => ({
      name: a.name,
      type: a.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: physicalTableName(prefix, definition),
      partitionKey: attribute(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: attribute(definition.sortKey) } : {}),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
      // The audit table's stream feeds the unusual-access detector (SEC-6): new entries only.
      ...(definition.stream === 'NEW_IMAGE' ? { stream: dynamodb.StreamViewType.NEW_IMAGE } : {}),
    });
    for (const index of definition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: attribute(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
