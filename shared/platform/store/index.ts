export { DynamoStore } from './dynamo-store.js';
export { AuthenticatedCursorStore, CursorCodec } from './cursors.js';
export { InvalidCursorError } from './errors.js';
export { ensureTables, createTableInput } from './bootstrap.js';
export { auditTable, dataTable, keysTable, tableDefinitions, physicalTableName, type TableDefinition } from './tables.js';
