import { createLogger } from '../http/index.js';
import { createPlatformHandler } from './handler.js';

export const handler = createPlatformHandler({
  logger: createLogger('platform'),
  corsOrigins: (process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean),
});
