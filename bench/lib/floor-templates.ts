import { GetCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditTable, dataTable, keysTable, physicalTableName } from '../../shared/platform/store/tables.js';
import type { FloorTemplates } from './raw-operations.js';

type Item = Record<string, unknown>;

/**
 * The items one API create of `customerId` wrote, and an entry of an audited read, read
 * back from the tables under `prefix` (once, unmeasured): the floors copy them.
 */
export async function floorTemplates(doc: DynamoDBDocumentClient, prefix: string, customerId: string): Promise<FloorTemplates> {
  const tables = { data: physicalTableName(prefix, dataTable), keys: physicalTableName(prefix, keysTable), audit: physicalTableName(prefix, auditTable) };
  const get = async (TableName: string, Key: Item, what: string): Promise<Item> => {
    const out = await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
    if (!out.Item) throw new Error(`No ${what} of customer ${customerId} in ${TableName}.`);
    return out.Item;
  };
  const profile = await get(tables.data, { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' }, 'profile');
  const history = await doc.send(
    new QueryCommand({
      TableName: tables.data,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
      ExpressionAttributeValues: { ':pk': `CUSTOMER#${customerId}`, ':history': 'HISTORY#' },
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  const firstIndex = (name: string) => {
    const value = (profile[name] as string[] | undefined)?.[0];
    if (!value) throw new Error(`The profile of ${customerId} has no ${name}: the template needs an email and a phone.`);
    return value;
  };
  // Any read's entry will do: entries differ only in their action, ids and time.
  const entries = await doc.send(new ScanCommand({ TableName: tables.audit, Limit: 200 }));
  const auditEntry = entries.Items?.find((item) => item.action === 'customer.read');
  if (!history.Items?.[0] || !auditEntry) throw new Error(`No history entry or read audit entry found for the floor templates under ${prefix}.`);
  return {
    tables,
    profile,
    history: history.Items[0],
    dataKey: await get(tables.keys, { pk: customerId }, 'data key'),
    emailGuard: await get(tables.data, { pk: `EMAIL#${firstIndex('emailIndexes')}`, sk: 'GUARD' }, 'email guard'),
    phoneGuard: await get(tables.data, { pk: `PHONE#${firstIndex('phoneIndexes')}`, sk: 'GUARD' }, 'phone guard'),
    auditEntry,
  };
}
