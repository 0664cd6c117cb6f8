import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startLocalApp } from '../local/app.js';
import { signToken } from '../local/tokens.js';
import type { VerificationReport } from '../shared/platform/audit/index.js';
import type { Container } from '../shared/runtime/index.js';
import type { BenchEnvironment } from './customer-records.js';
import { runApiLoad, startLoadGenerator, type ApiLoad, type LoadRun } from './lib/load.js';
import { runCleanups, summarize, type Figures } from './lib/measure.js';
import { count, fixed, table, type Section } from './lib/report.js';

export interface ApiLoadSettings {
  /** Length of each measured load (reads, creates, mix). */
  seconds: number;
  /** Length of each step of the concurrency ramp that finds the saturating concurrency. */
  probeSeconds: number;
  /** Connections tried by the ramp, ascending. */
  levels: number[];
  /** Customers created first, for the reads. */
  seedCustomers: number;
}

interface Measured {
  label: string;
  connections: number;
  run: LoadRun;
  figures: Figures;
}

/** The smallest ramp step within this share of the best throughput saturates the API. */
const SATURATED_SHARE = 0.95;

/**
 * The local runtime (local/app.ts, on loopback) under closed-loop load at the concurrency
 * that saturates it: reads, creates and an 80/20 mix, each for `seconds`, every failure
 * counted. Then the audit trail is verified over the window of the whole section, since
 * every one of those requests wrote an audit entry under contention.
 */
export async function apiLoadBenchmark(env: BenchEnvironment, settings: ApiLoadSettings): Promise<Section> {
  const prefix = `load${randomUUID().replaceAll('-', '').slice(0, 10)}`;
  const cleanups: Array<() => Promise<void> | void> = [];
  try {
    const app = await startLocalApp({ dataDir: env.dataDir, dynamodbEndpoint: env.dynamodbEndpoint, tablePrefix: prefix });
    cleanups.push(() => app.close());
    const token = await signToken(app.tokenSecret, { sub: 'bench-load', roles: ['admin'] });
    const generator = await startLoadGenerator({ kind: 'api', url: app.url, token });
    cleanups.push(() => generator.close());
    const measure = async (label: string, connections: number, load: Omit<ApiLoad, 'connections'>): Promise<Measured> => {
      env.log(`load: ${label}, ${connections} connections, ${'seconds' in load.until ? `${load.until.seconds} s` : `${load.until.requests} requests`}`);
      const run = await runApiLoad(generator, { connections, ...load });
      return { label, connections, run, figures: summarize(run.timings) };
    };

    const from = new Date().toISOString();
    const seed = await measure('seed creates', 8, { readShare: 0, readIds: [], until: { requests: settings.seedCustomers } });
    const readIds = seed.run.createdIds;
    if (readIds.length === 0) throw new Error(`No seed customer was created: ${JSON.stringify(seed.run.answers)}`);

    const ramp: Measured[] = [];
    for (const level of settings.levels) ramp.push(await measure('reads (ramp)', level, { readShare: 1, readIds, until: { seconds: settings.probeSeconds } }));
    const best = Math.max(...ramp.map((step) => step.figures.opsPerSec));
    const connections = ramp.find((step) => step.figures.opsPerSec >= SATURATED_SHARE * best)!.connections;

    const until = { seconds: settings.seconds };
    const runs = [
      await measure('Reads: `GET /v1/customers/{id}`', connections, { readShare: 1, readIds, until }),
      await measure('Creates: `POST /v1/customers`', connections, { readShare: 0, readIds, until }),
      await measure('Mix: 80% reads, 20% creates', connections, { readShare: 0.8, readIds, until }),
    ];
    const to = new Date().toISOString();

    env.log(`load: verifying the audit trail ${from} .. ${to}`);
    const verification = await verifyWindow(app.container, { from, to });
    return render({ settings, seed, ramp, connections, runs, verification, window: { from, to } });
  } finally {
    await runCleanups(cleanups, env.log);
  }
}

interface WindowVerification {
  report: VerificationReport;
  entriesChecked: number;
  calls: number;
  seconds: number;
}

/** As a client of `POST /v1/audit/verify` does: again with `next` until there is none. */
async function verifyWindow(container: Container, window: { from: string; to: string }): Promise<WindowVerification> {
  const started = performance.now();
  let entriesChecked = 0;
  let calls = 0;
  let cursor: string | undefined;
  let report: VerificationReport;
  do {
    report = await container.audit.verify(window, container.subjects, cursor);
    calls += 1;
    entriesChecked += report.entriesChecked;
    cursor = report.ok ? report.next : undefined;
  } while (cursor);
  return { report, entriesChecked, calls, seconds: (performance.now() - started) / 1000 };
}

const failures = (run: LoadRun) => run.answers.non2xx + run.answers.errors;
const statuses = (run: LoadRun) =>
  Object.entries(run.answers.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}: ${count(n)}`)
    .join(', ');

function render(input: {
  settings: ApiLoadSettings;
  seed: Measured;
  ramp: Measured[];
  connections: number;
  runs: Measured[];
  verification: WindowVerification;
  window: { from: string; to: string };
}): Section {
  const { settings, ramp, connections, runs, verification: v } = input;
  const rampTable = table(
    ['Connections', 'Requests', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Non-2xx', 'Errors'],
    ramp.map(({ connections: c, run, figures: f }) => [
      c === connections ? `**${c}**` : String(c),
      count(run.answers.answered),
      fixed(f.opsPerSec, 0),
      fixed(f.p50Ms, 2),
      fixed(f.p99Ms, 2),
      count(run.answers.non2xx),
      count(run.answers.errors),
    ]),
    ['r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );
  const runTable = table(
    ['Load', 'Connections', 'Seconds', 'Requests', 'req/s', 'p50 (ms)', 'p99 (ms)', 'Non-2xx', 'Errors', 'Node CPU/request (ms)', 'Statuses'],
    runs.map(({ label, connections: c, run, figures: f }) => [
      label,
      String(c),
      fixed(run.timings.wallMs / 1000, 1),
      count(run.answers.answered),
      fixed(f.opsPerSec, 0),
      fixed(f.p50Ms, 2),
      fixed(f.p99Ms, 2),
      count(run.answers.non2xx),
      `${count(run.answers.errors)}${run.answers.timeouts ? ` (${count(run.answers.timeouts)} timeouts)` : ''}`,
      fixed(f.cpuPerOpMs, 2),
      statuses(run),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
  );
  const failed = runs.filter((m) => failures(m.run) > 0);
  const r = v.report;
  const verdict = r.ok
    ? `**verified: ok** — ${count(v.entriesChecked)} entries checked in ${v.calls} calls, ${fixed(v.seconds, 1)} s`
    : `**verification failed** after ${count(v.entriesChecked)} entries: ${JSON.stringify(r.firstFailure)}`;
  return {
    id: 'api-load',
    title: 'Load at saturation',
    body: `
The local runtime (\`local/app.ts\`: the API server on 127.0.0.1, DynamoDB Local in memory, the local key file) under
closed-loop load from [autocannon](https://github.com/mcollina/autocannon) in a worker thread of the same process
(\`bench/lib/load.ts\`): every connection sends its next request as soon as the last one is answered, so throughput
is what the runtime sustains and latency includes its queueing. ${count(input.seed.run.createdIds.length)} customers
were created first; reads take them in turn, creates add new ones with unique contacts. The whole process (API, load
generator, DynamoDB Local) shares this machine's cores, so these are the local runtime's limits, not Lambda's.

**Saturation.** Reads for ${settings.probeSeconds} s at each concurrency; the smallest within
${Math.round(SATURATED_SHARE * 100)}% of the best throughput (**${connections}**) runs the measured loads.

${rampTable}

**Measured**, ${settings.seconds} s each at ${connections} connections (\`BENCH_LOAD_SECONDS\` shortens them). Latency is
of every answered request; non-2xx are answers outside 200–299, errors are requests without an answer (connection errors,
10 s timeouts).

${runTable}

${failed.length ? `Failures: ${failed.map((m) => `${m.label} ${failures(m.run)}`).join('; ')}.` : 'No request failed: every answer was 2xx and none went unanswered.'}

**Audit trail after the load.** Every request above wrote an audit entry (64 chains, many writers at once).
\`container.audit.verify\` over ${input.window.from} .. ${input.window.to}, paged by its cursor: ${verdict}.
`,
  };
}
