export { DynamoStore } from './dynamo-store.js';
export { ensureTables, createTableInput } from './bootstrap.js';
export { auditTable, dataTable, keysTable, tableDefinitions, physicalTableName, type TableDefinition } from './tables.js';
