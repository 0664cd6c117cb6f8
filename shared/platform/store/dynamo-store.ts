import {
  DynamoDBDocumentClient,
  GetCommand,
  BatchGetCommand,
  PutCommand,
  DeleteCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UnavailableError } from '../errors/index.js';
import {
  ConditionFailedError,
  type Condition,
  type CountInput,
  type QueryInput,
  type QueryPage,
  type Store,
  type StoreItem,
  type Write,
} from '../ports/index.js';
import { InvalidCursorError } from './errors.js';
import { physicalTableName, tableDefinitions, type TableDefinition } from './tables.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Errors that mean our request was wrong, not that the store is down: let them surface. */
const CALLER_ERRORS = new Set(['ValidationException', 'SerializationException']);
const TRANSACTION_RETRIES = 6;
const MAX_QUERY_ROUND_TRIPS = 10;

interface ConditionParts {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

const conditionExpression = (condition: Condition | undefined, table: TableDefinition): ConditionParts => {
  if (!condition) return {};
  const pk = table.partitionKey.name;
  switch (condition.kind) {
    case 'absent':
      return { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': pk } };
    case 'exists':
      return { ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': pk } };
    case 'version':
      return {
        ConditionExpression: '#version = :version',
        ExpressionAttributeNames: { '#version': 'version' },
        ExpressionAttributeValues: { ':version': condition.version },
      };
  }
};

/** `ADD` of every counter; the attribute names go through placeholders, so any name is safe. */
const addExpression = (counters: Record<string, number>) => {
  const entries = Object.entries(counters);
  if (!entries.length) throw new Error('An add write needs at least one counter');
  return {
    UpdateExpression: `ADD ${entries.map((_, i) => `#c${i} :c${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#c${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, by], i) => [`:c${i}`, by])),
  };
};

/** The writes with every `add` to one item merged into the first of them (counters summed). */
function coalesceAdds(writes: Write[]): Write[] {
  const adds = new Map<string, Extract<Write, { op: 'add' }>>();
  const out: Write[] = [];
  for (const write of writes) {
    if (write.op !== 'add') {
      out.push(write);
      continue;
    }
    const id = `${write.table}\u0000${JSON.stringify(Object.entries(write.key).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
    const seen = adds.get(id);
    if (!seen) {
      const copy = { ...write, counters: { ...write.counters } };
      adds.set(id, copy);
      out.push(copy);
      continue;
    }
    for (const [name, by] of Object.entries(write.counters)) seen.counters[name] = (seen.counters[name] ?? 0) + by;
  }
  return out;
}

/** The key condition and filters of a query (or a count), with their names and values. */
function queryExpression(input: Omit<QueryInput, 'limit' | 'cursor'>) {
  const names: Record<string, string> = { '#p': input.partition.name };
  const values: Record<string, unknown> = { ':p': input.partition.value };
  let keyCondition = '#p = :p';
  if (input.range && (input.range.from !== undefined || input.range.to !== undefined)) {
    names['#r'] = input.range.name;
    const { from, to } = input.range;
    if (from !== undefined) values[':from'] = from;
    if (to !== undefined) values[':to'] = to;
    keyCondition +=
      from !== undefined && to !== undefined ? ' AND #r BETWEEN :from AND :to' : from !== undefined ? ' AND #r >= :from' : ' AND #r <= :to';
  }
  const filters = (input.filters ?? []).map((filter, i) => {
    names[`#f${i}`] = filter.name;
    if (filter.contains !== undefined) {
      values[`:f${i}`] = filter.contains;
      return `contains(#f${i}, :f${i})`;
    }
    values[`:f${i}`] = filter.equals;
    return `#f${i} = :f${i}`;
  });
  return {
    KeyConditionExpression: keyCondition,
    FilterExpression: filters.length ? filters.join(' AND ') : undefined,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The Store port on DynamoDB (AWS or DynamoDB Local), through the document client. */
export class DynamoStore implements Store {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tables = new Map(tableDefinitions.map((t) => [t.name, t]));

  constructor(
    client: DynamoDBClient,
    private readonly prefix: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async get<T extends StoreItem>(table: string, key: StoreItem): Promise<T | undefined> {
    const out = await this.call(() =>
      this.doc.send(new GetCommand({ TableName: this.name(table), Key: key, ConsistentRead: true })),
    );
    return out.Item as T | undefined;
  }

  async getMany<T extends StoreItem>(table: string, keys: StoreItem[]): Promise<T[]> {
    const found: T[] = [];
    // BatchGet takes at most 100 keys and may leave some unprocessed under load.
    for (let i = 0; i < keys.length; i += 100) {
      let pending: StoreItem[] | undefined = keys.slice(i, i + 100);
      for (let attempt = 0; pending?.length && attempt < 5; attempt++) {
        const request: StoreItem[] = pending;
        const out = await this.call(() =>
          this.doc.send(new BatchGetCommand({ RequestItems: { [this.name(table)]: { Keys: request } } })),
        );
        found.push(...((out.Responses?.[this.name(table)] ?? []) as T[]));
        pending = out.UnprocessedKeys?.[this.name(table)]?.Keys;
      }
      if (pending?.length) throw new UnavailableError('store');
    }
    return found;
  }

  async query<T extends StoreItem>(input: QueryInput): Promise<QueryPage<T>> {
    const definition = this.definition(input.table);
    const expression = queryExpression(input);

    const items: T[] = [];
    let startKey = decodeCursor(input.cursor, keyNames(definition, input.index));
    let lastKey: StoreItem | undefined;
    // Filters apply after DynamoDB's limit, so keep reading until the page is full.
    for (let trip = 0; trip < MAX_QUERY_ROUND_TRIPS && items.length < input.limit; trip++) {
      const out = await this.call(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.name(input.table),
            IndexName: input.index,
            ...expression,
            ExclusiveStartKey: startKey,
            Limit: input.limit - items.length,
            ScanIndexForward: !input.descending,
            ...(input.consistent ? { ConsistentRead: true } : {}),
          }),
        ),
      );
      items.push(...((out.Items ?? []) as T[]));
      lastKey = out.LastEvaluatedKey;
      if (!lastKey) break;
      startKey = lastKey;
    }
    const cursorKey = items.length >= input.limit ? keyOf(items[items.length - 1]!, definition, input.index) : lastKey;
    return cursorKey ? { items, cursor: encodeCursor(cursorKey) } : { items };
  }

  /**
   * Select COUNT, page after page (each up to 1 MB read), until the query is exhausted or
   * `max` is reached: no item crosses the wire, but the capacity consumed is that of reading
   * the items (a count of an index costs what its projection holds).
   */
  async count(input: CountInput): Promise<number> {
    const expression = queryExpression(input);
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    while (count < input.max) {
      const out = await this.call(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.name(input.table),
            IndexName: input.index,
            ...expression,
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
            // Limit bounds the items evaluated, so a page never counts beyond `max`.
            Limit: input.max - count,
            ...(input.consistent ? { ConsistentRead: true } : {}),
          }),
        ),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
      if (!startKey) break;
    }
    return Math.min(count, input.max);
  }

  async increment(table: string, key: StoreItem, attribute: string, by = 1): Promise<number> {
    const out = await this.call(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.name(table),
          Key: key,
          UpdateExpression: 'ADD #a :by',
          ExpressionAttributeNames: { '#a': attribute },
          ExpressionAttributeValues: { ':by': by },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return Number(out.Attributes?.[attribute]);
  }

  async transact(given: Write[]): Promise<void> {
    // A transaction may name an item once: adds to the same item become one add.
    const writes = coalesceAdds(given);
    // One conditional put or delete (or one add) needs no transaction: the same guarantee, half the cost.
    const [single] = writes;
    if (writes.length === 1 && single?.op === 'add') {
      await this.call(() => this.doc.send(new UpdateCommand({ TableName: this.name(single.table), Key: single.key, ...addExpression(single.counters) })));
      return;
    }
    if (writes.length === 1 && single && (single.op === 'put' || single.op === 'delete')) {
      try {
        const condition = conditionExpression(single.condition, this.definition(single.table));
        const TableName = this.name(single.table);
        if (single.op === 'put') await this.doc.send(new PutCommand({ TableName, Item: single.item, ...condition }));
        else await this.doc.send(new DeleteCommand({ TableName, Key: single.key, ...condition }));
        return;
      } catch (error) {
        const mapped = this.mapError(error);
        throw mapped instanceof ConditionFailedError ? new ConditionFailedError([single.label ?? 'write-0']) : mapped;
      }
    }
    const items = writes.map((write) => this.transactItem(write));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name !== 'TransactionCanceledException') throw this.mapError(error);
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
        const failed = reasons.flatMap((reason, i) =>
          reason.Code === 'ConditionalCheckFailed' ? [writes[i]?.label ?? `write-${i}`] : [],
        );
        if (failed.length) throw new ConditionFailedError(failed);
        // A conflict with a concurrent transaction on the same items: retry with jitter.
        if (attempt >= TRANSACTION_RETRIES) throw new UnavailableError('store', { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 5 + 10 * 2 ** attempt * Math.random()));
      }
    }
  }

  private transactItem(write: Write): TransactItem {
    const definition = this.definition(write.table);
    const TableName = this.name(write.table);
    switch (write.op) {
      case 'put':
        return { Put: { TableName, Item: write.item, ...conditionExpression(write.condition, definition) } };
      case 'delete':
        return { Delete: { TableName, Key: write.key, ...conditionExpression(write.condition, definition) } };
      case 'check': {
        const condition = conditionExpression(write.condition, definition);
        return { ConditionCheck: { TableName, Key: write.key, ...condition, ConditionExpression: condition.ConditionExpression! } };
      }
      case 'add':
        return { Update: { TableName, Key: write.key, ...addExpression(write.counters) } };
    }
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.mapError(error);
    }
  }

  private mapError(error: unknown): Error {
    const name = (error as { name?: string }).name ?? '';
    if (name === 'ConditionalCheckFailedException') return new ConditionFailedError([]);
    if (CALLER_ERRORS.has(name)) return error as Error;
    return new UnavailableError('store', { cause: error });
  }

  private definition(table: string): TableDefinition {
    const definition = this.tables.get(table);
    if (!definition) throw new Error(`Unknown table ${table}`);
    return definition;
  }

  private name(table: string): string {
    return physicalTableName(this.prefix, this.definition(table));
  }
}

/** The attributes of a continuation key: the table's key, and the index's when reading one. */
function keyNames(table: TableDefinition, indexName?: string): string[] {
  const names = [table.partitionKey.name, table.sortKey?.name];
  const index = table.indexes.find((i) => i.name === indexName);
  if (index) names.push(index.partitionKey.name, index.sortKey.name);
  return [...new Set(names.filter((n): n is string => !!n))];
}

function keyOf(item: StoreItem, table: TableDefinition, indexName?: string): StoreItem {
  return Object.fromEntries(keyNames(table, indexName).map((n) => [n, item[n]]));
}

const encodeCursor = (key: StoreItem): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/**
 * The continuation key inside a cursor, when it has exactly the key attributes of the
 * table or index read, each a string or number. Anything else would reach DynamoDB as a
 * malformed start key. (Cursors reaching clients are also authenticated: cursors.ts.)
 */
function decodeCursor(cursor: string | undefined, names: string[]): StoreItem | undefined {
  if (cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const entries = key && typeof key === 'object' && !Array.isArray(key) ? Object.entries(key) : [];
  const wellFormed =
    entries.length === names.length &&
    entries.every(([name, value]) => names.includes(name) && (typeof value === 'string' || typeof value === 'number'));
  if (!wellFormed) throw new InvalidCursorError();
  return key as StoreItem;
}
