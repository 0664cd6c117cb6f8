import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { configFromEnv, createDynamoClient, type Config } from '../../shared/runtime/index.js';
import { ensureTables, physicalTableName, tableDefinitions } from '../../shared/platform/store/index.js';

/** A client for the run's DynamoDB Local and a fresh table prefix, tables created. */
export async function freshTables(): Promise<{ client: DynamoDBClient; prefix: string; endpoint: string }> {
  const endpoint = inject('dynamodbEndpoint');
  const client = createDynamoClient({ region: 'local', dynamodbEndpoint: endpoint });
  const prefix = `t${randomUUID().slice(0, 8)}`;
  await ensureTables(client, prefix);
  return { client, prefix, endpoint };
}

/** A client for tables an earlier `freshTables` created (a restarted app on the same tables). */
export function existingTables(prefix: string): { client: DynamoDBClient; prefix: string; endpoint: string } {
  const endpoint = inject('dynamodbEndpoint');
  return { client: createDynamoClient({ region: 'local', dynamodbEndpoint: endpoint }), prefix, endpoint };
}

/** Every raw item of every table under `prefix`, as DynamoDB returns them (attribute values). */
export async function scanAll(client: DynamoDBClient, prefix: string): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  for (const table of tableDefinitions) {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await client.send(
        new ScanCommand({ TableName: physicalTableName(prefix, table), ExclusiveStartKey: start as never }),
      );
      items.push(...((out.Items ?? []) as Array<Record<string, unknown>>));
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return items;
}

/**
 * The configuration a function would read, for tables under `prefix` of the run's
 * DynamoDB Local (tests pass their own key service, so the key file is never read).
 */
export const testConfig = (prefix: string, endpoint: string): Config =>
  configFromEnv({ TABLE_PREFIX: prefix, DYNAMODB_ENDPOINT: endpoint, KEY_PROVIDER: 'local', LOCAL_KEY_FILE: '/unused', AWS_REGION: 'local' });
