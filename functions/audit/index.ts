import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createAuditHandler } from './handler.js';

/** Lambda entry point of the audit context. */
const observability = await createObservability('audit');
const config = configFromEnv();
const container = createContainer(config, { instrument: instrumentWith(observability) });
export const handler = createAuditHandler(container, { ...observability, corsOrigins: config.corsOrigins });
