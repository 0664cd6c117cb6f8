import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import SynthFirstSequencer from './test/support/sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One in-memory DynamoDB Local for the whole run; each test file uses its own tables
    // (a random prefix, test/support/dynamo.ts). The app is synthesized once per run too
    // (test/infra/support.ts), by the infra file the sequencer starts first.
    globalSetup: ['test/support/global-setup.ts'],
    sequence: { sequencer: SynthFirstSequencer },
    // Vitest's default is one worker per core less one: a single one on two cores, while
    // most files wait on DynamoDB Local or a child process and leave a core idle.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    reporters: ['default', './test/support/slowest-files.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Quiet access logs; the plaintext-scan test raises the level for its own capture.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' },
  },
});
