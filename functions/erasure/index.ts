import { configFromEnv, createContainer } from '../../shared/runtime/index.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createErasureConsumer } from './handler.js';

/** Lambda entry point of the erasure queue consumer (SQS). */
const observability = await createObservability('erasure');
const container = createContainer(configFromEnv(), { instrument: instrumentWith(observability) });
export const handler = createErasureConsumer(container, observability);
