export { DynamoStore } from './dynamo-store.js';
export { ensureTables, createTableInput } from './bootstrap.js';
export { dataTable, keysTable, tableDefinitions, physicalTableName, type TableDefinition } from './tables.js';
