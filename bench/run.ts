import { accessLogLevel } from './env.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDynamo, type EmbeddedDynamo } from '../local/dynamodb.js';
import { apiLoadBenchmark } from './api-load.js';
import { auditTrailBenchmark } from './audit.js';
import { bundleSizesBenchmark } from './bundles.js';
import { complaintsBenchmark } from './complaints.js';
import { customerRecordsBenchmark } from './customer-records.js';
import { erasureBenchmark } from './erasure.js';
import { incidentsBenchmark } from './incidents.js';
import { surveysBenchmark } from './surveys.js';
import { machine, mib, renderDocument, renderSection, table, type Section } from './lib/report.js';

/**
 * `npm run bench`: every benchmark in one run against one in-memory DynamoDB Local, then
 * docs/benchmarks.md rewritten whole. `BENCH_N` sets the operations per path (default 1000),
 * `BENCH_ERASE_N` the customers erased per path (default 200), `BENCH_COMPLAINTS_N` the
 * complaints taken in per path (default 500), `BENCH_LOAD_SECONDS` each measured load at
 * saturation (default 60), `BENCH_SURVEY_DISPATCH_N` the customers a survey is dispatched to
 * (default 10,000), `BENCH_SURVEY_ANSWER_N` the survey answers taken in (default 1000),
 * `BENCH_INCIDENT_NOTIFY_N` the affected customers an incident notifies (default 10,000),
 * `BENCH_INCIDENT_AUDIT_N` the audit entries the scope by actor runs over (default 1,000,000).
 * `BENCH_ONLY` (comma-separated section ids, e.g. `surveys`) runs only those sections and
 * prints them without rewriting docs/benchmarks.md.
 */
const OUTPUT = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
const CONCURRENCY = 8;
const WARMUP = 50;
const KMS_CUSTOMERS = 100;
const KMS_READS = 1000;
/** Audit trail: customers its GETs spread over, rounds per instance, and the trail's size when verified. */
const AUDIT_CUSTOMERS = 250;
const AUDIT_ROUNDS = 4;
const AUDIT_VERIFY_ENTRIES = 6000;
/** Erasure: customers erased per path (`BENCH_ERASE_N`), unmeasured ones first, interactions of each; the export's customer's interactions. */
const ERASE_WARMUP = 16;
const ERASE_INTERACTIONS = 2;
const EXPORT_INTERACTIONS = 10_000;
/** Complaints: customers they belong to, populations the overdue listing and the quarter's report are timed over, and how many of each read. */
const COMPLAINT_CUSTOMERS = 100;
const COMPLAINT_SIZES = [10_000, 100_000];
const COMPLAINT_OVERDUE_SHARE = 0.5;
const COMPLAINT_LISTS = 60;
const COMPLAINT_REPORTS = 20;
const COMPLAINT_READ_WARMUP = 6;
const COMPLAINT_REPORT_FROM = '2026-07-01';
const COMPLAINT_REPORT_DAYS = 92;
/** Load at saturation: connections the ramp tries, seconds per step (at most), customers the reads take. */
const LOAD_LEVELS = [1, 4, 16, 64];
const LOAD_PROBE_SECONDS = 5;
const LOAD_SEED_CUSTOMERS = 1000;
/** Surveys: answer populations the results call is timed over, and calls per population. */
const SURVEY_RESULT_SIZES = [10_000, 100_000];
const SURVEY_RESULT_CALLS = 40;
/**
 * Breach response: the suspect's reads the scope is timed at (one suspect per size), runs and
 * raw reads per size; the trail's other accounts and days; the detector's batches, their
 * size, the accounts in them and batches per hour of entries; BatchWriteItem calls in flight.
 */
const INCIDENT_SCOPE_SIZES = [300, 3000];
const INCIDENT_SCOPE_RUNS = 3;
const INCIDENT_RAW_READS = 10;
const INCIDENT_AUDIT_ACTORS = 2000;
const INCIDENT_AUDIT_DAYS = 30;
const INCIDENT_DETECTOR_BATCHES = 40;
const INCIDENT_DETECTOR_BATCH = 500;
const INCIDENT_DETECTOR_ACTORS = 200;
const INCIDENT_DETECTOR_BATCHES_PER_HOUR = 20;
const INCIDENT_SEED_PARALLEL = 16;

function positiveInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not "${text}".`);
  return value;
}

const log = (message: string) => console.error(`[bench] ${message}`);

/** `BENCH_ONLY`: the section ids to run, or undefined for all of them. */
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((id) => id.trim())) : undefined;
const wanted = (id: string) => only === undefined || only.has(id);

async function main(): Promise<void> {
  const n = positiveInt('BENCH_N', 1000);
  const started = Date.now();
  const loadAtStart = loadavg();
  const dataDir = mkdtempSync(join(tmpdir(), 'kehu-bench-'));
  let dynamo: EmbeddedDynamo | undefined;
  try {
    log('starting DynamoDB Local (in memory)');
    dynamo = await startDynamo();
    const env = { dynamodbEndpoint: dynamo.endpoint, dataDir, log };

    const sections: Section[] = [];
    if (wanted('customer-records')) sections.push(
      await customerRecordsBenchmark(env, {
        n,
        concurrency: CONCURRENCY,
        warmup: WARMUP,
        kmsCustomers: KMS_CUSTOMERS,
        kmsReads: KMS_READS,
        accessLogLevel,
      }),
    );

    if (wanted('audit-trail')) sections.push(
      await auditTrailBenchmark(env, {
        n,
        concurrency: CONCURRENCY,
        customers: AUDIT_CUSTOMERS,
        rounds: AUDIT_ROUNDS,
        verifyEntries: AUDIT_VERIFY_ENTRIES,
      }),
    );

    if (wanted('erasure-export')) sections.push(
      await erasureBenchmark(env, {
        customers: positiveInt('BENCH_ERASE_N', 200),
        concurrency: CONCURRENCY,
        warmup: ERASE_WARMUP,
        interactionsPerCustomer: ERASE_INTERACTIONS,
        exportInteractions: EXPORT_INTERACTIONS,
      }),
    );

    if (wanted('complaints')) sections.push(
      await complaintsBenchmark(env, {
        intakes: positiveInt('BENCH_COMPLAINTS_N', 500),
        concurrency: CONCURRENCY,
        customers: COMPLAINT_CUSTOMERS,
        warmup: WARMUP,
        sizes: COMPLAINT_SIZES,
        overdueShare: COMPLAINT_OVERDUE_SHARE,
        lists: COMPLAINT_LISTS,
        reports: COMPLAINT_REPORTS,
        readWarmup: COMPLAINT_READ_WARMUP,
        reportFrom: COMPLAINT_REPORT_FROM,
        reportDays: COMPLAINT_REPORT_DAYS,
      }),
    );

    const loadSeconds = positiveInt('BENCH_LOAD_SECONDS', 60);
    if (wanted('api-load')) sections.push(
      await apiLoadBenchmark(env, {
        seconds: loadSeconds,
        probeSeconds: Math.min(LOAD_PROBE_SECONDS, loadSeconds),
        levels: LOAD_LEVELS,
        seedCustomers: LOAD_SEED_CUSTOMERS,
      }),
    );

    if (wanted('surveys')) {
      sections.push(
        await surveysBenchmark(env, {
          customers: positiveInt('BENCH_SURVEY_DISPATCH_N', 10_000),
          answers: positiveInt('BENCH_SURVEY_ANSWER_N', 1000),
          concurrency: CONCURRENCY,
          resultSizes: SURVEY_RESULT_SIZES,
          resultCalls: SURVEY_RESULT_CALLS,
        }),
      );
    }

    if (wanted('incidents')) {
      sections.push(
        await incidentsBenchmark(env, {
          customers: positiveInt('BENCH_INCIDENT_NOTIFY_N', 10_000),
          auditEntries: positiveInt('BENCH_INCIDENT_AUDIT_N', 1_000_000),
          auditActors: INCIDENT_AUDIT_ACTORS,
          auditDays: INCIDENT_AUDIT_DAYS,
          scopeSizes: INCIDENT_SCOPE_SIZES,
          scopeRuns: INCIDENT_SCOPE_RUNS,
          rawReads: INCIDENT_RAW_READS,
          detectorBatches: INCIDENT_DETECTOR_BATCHES,
          detectorBatchSize: INCIDENT_DETECTOR_BATCH,
          detectorActors: INCIDENT_DETECTOR_ACTORS,
          detectorBatchesPerHour: INCIDENT_DETECTOR_BATCHES_PER_HOUR,
          concurrency: CONCURRENCY,
          seedParallel: INCIDENT_SEED_PARALLEL,
        }),
      );
    }

    if (wanted('function-bundles')) {
      log('measuring function bundles');
      sections.push(await bundleSizesBenchmark());
    }

    const memory = process.memoryUsage();
    const peakRss = process.resourceUsage().maxRSS * 1024;
    sections.push({
      id: 'process-memory',
      title: 'Process memory after the run',
      body: [
        'The Node process that ran the API and the benchmark on its main thread and the load generators in worker threads',
        '(DynamoDB Local runs in its own JVM, not counted). RSS counts every thread; the heap figures are the main thread\'s',
        '(the workers had heaps of their own and had ended by then).',
        '',
        table(
          ['RSS', 'Peak RSS', 'Heap used', 'Heap total'],
          [[mib(memory.rss), mib(peakRss), mib(memory.heapUsed), mib(memory.heapTotal)]],
          ['r', 'r', 'r', 'r'],
        ),
      ].join('\n'),
    });

    console.log(sections.map(renderSection).join('\n\n'));
    if (only) {
      log(`ran ${[...only].join(', ')} only in ${((Date.now() - started) / 1000).toFixed(1)} s; ${OUTPUT} left as it was`);
      return;
    }
    const document = renderDocument({ date: new Date(), machine: machine(), loadAtStart, sections });
    mkdirSync(dirname(OUTPUT), { recursive: true });
    writeFileSync(OUTPUT, document);
    log(`wrote ${OUTPUT} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] failed:', error);
    process.exit(1);
  },
);
