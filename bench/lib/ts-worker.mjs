/**
 * Bootstrap of the benchmark's worker threads: plain JavaScript, so Node can start it
 * without help; it registers tsx's loader in this thread and then imports the TypeScript
 * entry named by the first worker argument (a file: URL).
 *
 * Under Node 20, `new Worker(url, { execArgv: ['--import', 'tsx'] })` does not get the
 * hooks installed before the entry loads (ERR_UNKNOWN_FILE_EXTENSION for `.ts`), and the
 * hooks `tsx bench/run.ts` registers in the main thread do not reach worker threads.
 */
import { register } from 'tsx/esm/api';

const entry = process.argv[2];
if (!entry) throw new Error('ts-worker.mjs: the TypeScript entry (a file: URL) must be the first worker argument.');
register();
await import(entry);
