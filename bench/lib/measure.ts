import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface Timings {
  /** Latency of each operation, in the order they were issued. */
  latenciesMs: number[];
  /** From the first operation started to the last one finished. */
  wallMs: number;
  /**
   * CPU time of the whole Node process (user + system, every thread) over the same span:
   * `process.cpuUsage()` counts the process even when called from a worker thread.
   */
  cpuMs: number;
  /** CPU time of the thread that ran the loop alone over the same span; NaN where the platform does not tell. */
  threadCpuMs: number;
}

export interface Figures {
  count: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Node process CPU per operation (all threads). */
  cpuPerOpMs: number;
  /** CPU per operation of the thread that ran the loop (the load generator). */
  threadCpuPerOpMs: number;
}

type ThreadCpuUsage = () => { user: number; system: number };

/**
 * CPU time (ms) the calling thread has used so far. Node 20 has no per-thread call
 * (`process.threadCpuUsage` came in Node 23.9), so on Linux it reads the thread's own
 * `/proc/thread-self/stat` (utime + stime, in USER_HZ ticks, which Linux fixes at 100 per
 * second: 10 ms resolution); a synchronous read runs on the calling thread, so
 * `thread-self` is that thread. NaN where neither is available.
 */
export function threadCpuMs(): number {
  const native = (process as { threadCpuUsage?: ThreadCpuUsage }).threadCpuUsage;
  if (typeof native === 'function') {
    const used = native.call(process);
    return (used.user + used.system) / 1000;
  }
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // Fields after "pid (comm)": state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
    return Number.isFinite(ticks) ? ticks * 10 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs `op(0)` .. `op(count - 1)` with at most `concurrency` in flight and times each one.
 * The first failure stops the workers from starting more and is rethrown.
 */
export async function runConcurrent(
  count: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<Timings> {
  const latenciesMs: number[] = new Array<number>(count).fill(0);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed) {
      const i = next++;
      if (i >= count) return;
      const start = performance.now();
      try {
        await op(i);
      } catch (error) {
        failed = true;
        throw error;
      }
      latenciesMs[i] = performance.now() - start;
    }
  };
  const cpu = process.cpuUsage();
  const threadCpu = threadCpuMs();
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker));
  const wallMs = performance.now() - started;
  const threadUsed = threadCpuMs() - threadCpu;
  const used = process.cpuUsage(cpu);
  return { latenciesMs, wallMs, cpuMs: (used.user + used.system) / 1000, threadCpuMs: threadUsed };
}

/** Nearest-rank percentile (p in 0..100) of already sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarize({ latenciesMs, wallMs, cpuMs, threadCpuMs: threadMs }: Timings): Figures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: latenciesMs.length,
    opsPerSec: wallMs > 0 ? (latenciesMs.length * 1000) / wallMs : Number.NaN,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuPerOpMs: latenciesMs.length ? cpuMs / latenciesMs.length : Number.NaN,
    threadCpuPerOpMs: latenciesMs.length ? threadMs / latenciesMs.length : Number.NaN,
  };
}

/** How many times the raw cost the API's is: latency API ÷ raw, throughput raw ÷ API. */
export function costRatio(api: Figures, raw: Figures): Pick<Figures, 'opsPerSec' | 'p50Ms' | 'p99Ms' | 'cpuPerOpMs'> {
  return {
    opsPerSec: raw.opsPerSec / api.opsPerSec,
    p50Ms: api.p50Ms / raw.p50Ms,
    p99Ms: api.p99Ms / raw.p99Ms,
    cpuPerOpMs: api.cpuPerOpMs / raw.cpuPerOpMs,
  };
}

/** Several runs of the same operation as one: latencies together, wall and CPU time summed. */
export function mergeTimings(runs: readonly Timings[]): Timings {
  return {
    latenciesMs: runs.flatMap((t) => t.latenciesMs),
    wallMs: runs.reduce((sum, t) => sum + t.wallMs, 0),
    cpuMs: runs.reduce((sum, t) => sum + t.cpuMs, 0),
    threadCpuMs: runs.reduce((sum, t) => sum + t.threadCpuMs, 0),
  };
}

/** Runs cleanups newest first; one that fails is logged and the rest still run. */
export async function runCleanups(cleanups: Array<() => Promise<void> | void>, log: (message: string) => void): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup failed: ${String(error)}`);
    }
  }
}
