export { DynamoStore } from './dynamo-store.js';
export { AuthenticatedCursorStore, CursorCodec } from './cursors.js';
export { InvalidCursorError } from './errors.js';
export { ensureTables, createTableInput } from './bootstrap.js';
export { auditTable, dataTable, keysTable, tableDefinitions, physicalTableName, type TableDefinition } from './tables.js';
export {
  querySharded,
  forEachSharded,
  shardKey,
  shardOf,
  shardPartition,
  defaultIndexShards,
  indexFamilies,
  DEFAULT_INDEX_SHARDS,
  MAX_INDEX_SHARDS,
  type IndexFamily,
  type IndexShards,
  type ShardedQueryInput,
} from './sharded.js';
