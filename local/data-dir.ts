import { resolve } from 'node:path';

/**
 * The local runtime's data directory: `DATA_DIR`, or `.data` in the directory npm runs
 * from (the repository). `npm start` and `npm run token` both read it here, because a
 * token signed under another directory's secret is refused.
 */
export const localDataDir = (env: NodeJS.ProcessEnv = process.env): string => resolve(env.DATA_DIR || '.data');
