import { composeContainer } from '../../shared/runtime/compose.js';
import { configFromEnv } from '../../shared/runtime/config.js';
import { erasureOf } from '../../shared/runtime/services/erasure.js';
import { createObservability, instrumentWith } from '../http/index.js';
import { createErasureConsumer } from './handler.js';

/** Lambda entry point of the erasure queue consumer (SQS). */
const observability = await createObservability('erasure');
const container = composeContainer(configFromEnv(), { instrument: instrumentWith(observability) }, (w) => ({ erasure: erasureOf(w) }));
export const handler = createErasureConsumer(container, observability);
