import { customersOf } from '../../shared/runtime/services/customers.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createCustomersHandler } from './handler.js';

/** Lambda entry point of the customers context. */
export const handler = await lambdaHttpEntry('customers', (w) => ({ customers: customersOf(w) }), createCustomersHandler);
