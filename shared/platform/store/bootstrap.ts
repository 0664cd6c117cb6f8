import {
  CreateTableCommand,
  UpdateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { physicalTableName, tableDefinitions, type TableDefinition } from './tables.js';

/** The CreateTable input for a definition; on-demand billing, as in the CDK stacks. */
export function createTableInput(prefix: string, table: TableDefinition): CreateTableCommandInput {
  const attributes = new Map<string, 'S' | 'N'>();
  const add = (a?: { name: string; type: 'S' | 'N' }) => a && attributes.set(a.name, a.type);
  add(table.partitionKey);
  add(table.sortKey);
  table.indexes.forEach((i) => (add(i.partitionKey), add(i.sortKey)));
  return {
    TableName: physicalTableName(prefix, table),
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    GlobalSecondaryIndexes: table.indexes.length
      ? table.indexes.map((i) => ({
          IndexName: i.name,
          KeySchema: [
            { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
            { AttributeName: i.sortKey.name, KeyType: 'RANGE' as const },
          ],
          Projection: { ProjectionType: 'ALL' as const },
        }))
      : undefined,
    ...(table.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } } : {}),
  };
}

/** A table made by an older version gets the indexes added since (one per update, as DynamoDB allows). */
async function addMissingIndexes(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  for (const index of input.GlobalSecondaryIndexes ?? []) {
    if (present.has(index.IndexName)) continue;
    const attributes = (input.AttributeDefinitions ?? []).filter((a) => index.KeySchema?.some((k) => k.AttributeName === a.AttributeName));
    await client.send(
      new UpdateTableCommand({ TableName: input.TableName, AttributeDefinitions: attributes, GlobalSecondaryIndexUpdates: [{ Create: index }] }),
    );
  }
}

/** A table made before it had a stream gets it (DynamoDB Local keeps the stream of a table it has). */
async function enableStream(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  if (!input.StreamSpecification) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: input.TableName, StreamSpecification: input.StreamSpecification }));
}

/** Creates every missing table (local runtime and tests); existing ones get what was added since. */
export async function ensureTables(client: DynamoDBClient, prefix: string): Promise<void> {
  await Promise.all(
    tableDefinitions.map(async (table) => {
      const input = createTableInput(prefix, table);
      try {
        await client.send(new CreateTableCommand(input));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        await addMissingIndexes(client, input);
        await enableStream(client, input);
      }
      // DynamoDB Local creates synchronously, but AWS does not: wait for ACTIVE.
      for (let i = 0; i < 60; i++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`Table ${input.TableName} did not become active.`);
    }),
  );
}
