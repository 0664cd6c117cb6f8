import { createObservability } from '../http/index.js';
import { createPlatformHandler } from './handler.js';

export const handler = createPlatformHandler({
  ...(await createObservability('platform')),
  corsOrigins: (process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean),
});
