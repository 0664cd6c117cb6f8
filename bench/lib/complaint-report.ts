import type { ComplaintBenchSettings } from '../complaints.js';
import type { StoreCalls } from './counting-store.js';
import { costRatio, type Figures } from './measure.js';
import { count, fixed, table, times } from './report.js';

/** The reads timed over one population. */
export interface SizeRun {
  size: number;
  overdue: number;
  seedSeconds: number;
  list: Figures;
  query: Figures;
  /** Items the raw query answered on average (a page, unless the shards hold fewer). */
  queryItems: number;
  report: Figures;
  batchGet: Figures;
  listCalls: StoreCalls;
  reportCalls: StoreCalls;
}

const perOp = (calls: StoreCalls, n: number) => fixed(calls.total / n, 1);
const breakdown = (calls: StoreCalls, n: number) =>
  [
    [calls.get, '`GetItem`'],
    [calls.getMany, '`BatchGetItem`'],
    [calls.query, '`Query`'],
    [calls.increment, 'counter `UpdateItem`'],
    [calls.transact, 'writes (`TransactWriteItems` or a single write)'],
  ]
    .filter(([value]) => (value as number) > 0)
    .map(([value, name]) => `${fixed((value as number) / n, 2)} ${name as string}`)
    .join(', ');

export function renderComplaints(input: {
  settings: ComplaintBenchSettings;
  shards: number;
  intake: { service: Figures; raw: Figures; calls: StoreCalls };
  sizes: SizeRun[];
  statsItems: number;
  reportTo: string;
  complaintBytes: number;
  /** Characters of the intakes' subject and description. */
  texts: { subject: number; description: number };
  /** Counters in each seeded stats item. */
  counterNames: number;
  /** Counters one intake adds. */
  intakeCounters: number;
  /** The listing's page size. */
  limit: number;
}): string {
  const { settings, shards, intake, sizes, statsItems, limit: LIMIT } = input;
  const ratio = costRatio(intake.service, intake.raw);
  const row = (path: string, f: Figures, calls: string) => [path, count(f.count), fixed(f.opsPerSec, 0), fixed(f.p50Ms, 2), fixed(f.p99Ms, 2), fixed(f.cpuPerOpMs, 2), calls];
  const intakeTable = table(
    ['Path', 'Intakes', 'intakes/s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)', 'DynamoDB calls/intake'],
    [
      row('`ComplaintService.create`, in process', intake.service, perOp(intake.calls, intake.service.count)),
      row('raw `TransactWriteItems` of the 4 items', intake.raw, '1'),
      ['**service ÷ raw**', '', times(ratio.opsPerSec), times(ratio.p50Ms), times(ratio.p99Ms), times(ratio.cpuPerOpMs), times(intake.calls.total / intake.service.count)],
    ],
    ['l', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  const readRow = (name: string, s: SizeRun, f: Figures, calls: string) => [
    name,
    count(s.size),
    count(f.count),
    fixed(f.opsPerSec, 0),
    fixed(f.p50Ms, 2),
    fixed(f.p99Ms, 2),
    fixed(f.cpuPerOpMs, 2),
    calls,
  ];
  const readsTable = table(
    ['Read', 'Complaints stored', 'Runs', 'per s', 'p50 (ms)', 'p99 (ms)', 'Node CPU/op (ms)', 'DynamoDB calls/op'],
    sizes.flatMap((s) => [
      readRow('Overdue listing, first page (`ComplaintService.list`)', s, s.list, perOp(s.listCalls, s.list.count)),
      readRow(`raw \`Query\` of one \`gsi4\` shard, limit ${LIMIT}${s.queryItems < LIMIT ? ` (${fixed(s.queryItems, 1)} items on average)` : ''}`, s, s.query, '1'),
      readRow('Quarter report by week (`ComplaintReportService.report`)', s, s.report, perOp(s.reportCalls, s.report.count)),
      readRow(`raw \`BatchGetItem\` of the ${count(statsItems)} counter items`, s, s.batchGet, count(Math.ceil(statsItems / 100))),
    ]),
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
  );

  const small = sizes[0]!;
  const big = sizes[sizes.length - 1]!;
  const growth = (pick: (s: SizeRun) => Figures) => [times(pick(big).p50Ms / pick(small).p50Ms), times(pick(big).p99Ms / pick(small).p99Ms)];
  const over = (a: Figures, b: Figures) => times(a.p50Ms / b.p50Ms);
  const growthTable = table(
    ['Read', `p50 ÷ raw at ${count(small.size)}`, `p50 ÷ raw at ${count(big.size)}`, `p50 ${count(big.size)} ÷ ${count(small.size)}`, `p99 ${count(big.size)} ÷ ${count(small.size)}`],
    [
      ['Overdue listing', over(small.list, small.query), over(big.list, big.query), ...growth((s) => s.list)],
      ['its raw `Query`', '', '', ...growth((s) => s.query)],
      ['Quarter report', over(small.report, small.batchGet), over(big.report, big.batchGet), ...growth((s) => s.report)],
      ['its raw `BatchGetItem`', '', '', ...growth((s) => s.batchGet)],
    ],
    ['l', 'r', 'r', 'r', 'r'],
  );
  const seeded = sizes.map((s) => `${count(s.size)} (${count(s.overdue)} overdue) in ${fixed(s.seedSeconds, 1)} s`).join(', ');

  return `
Settings: ${count(settings.intakes)} intakes on each path (\`BENCH_COMPLAINTS_N\`), ${settings.concurrency} in flight, in ${Math.min(4, settings.intakes)} rounds
whose order turns (service then raw, raw then service, …), after an unmeasured warm-up of one intake for each of ${count(settings.customers)} customers
and ${count(settings.warmup)} raw floors. Then the overdue listing and the report over ${sizes.map((s) => count(s.size)).join(' and ')} stored complaints,
${count(settings.lists)} listings and ${count(settings.reports)} reports per size beside as many raw reads, one at a time (a dashboard's reads, not a load),
after ${count(settings.readWarmup)} unmeasured ones of each at that size, in two rounds, the second in the other order; the smaller population is timed first
(the larger one is the smaller one with more added), so whatever warming up is left falls on the smaller one. Everything on the main thread against DynamoDB Local, through a container wired by \`createContainer\`
(the local key service, a call-counting store, notices to the local outbox) on tables of this section's own; the raw side has its own DynamoDB client.
Complaints are sharded over ${shards} index shards (\`INDEX_SHARDS_COMPLAINTS\`).

**Intake.** \`container.complaints.create\` with an agent's context — in process, without HTTP: the API load worker has no complaint operation,
so \`POST /v1/complaints\` is not timed here (what the HTTP layer adds to a create is in the customer-records section). Each is a phone complaint
of category \`delivery\` with a ${count(input.texts.subject)}-character subject, a ${count(input.texts.description)}-character description and a desired outcome (Chinese text),
for one of the customers in turn. The floor is one \`TransactWriteItems\` of copies, under fresh keys, of the four items an intake's transaction wrote
— the complaint (${count(input.complaintBytes)} bytes as JSON, its index keys derived by \`ComplaintRepository.write\`), its pointer, the \`ADD\` of the ${count(input.intakeCounters)} report
counters an intake adds to its day and shard (\`ComplaintStats.counters\`) and the audit entry (to a chain no trail verifies) — each put conditional on absence as the service's; the copies were read back from the table after the warm-up.

${intakeTable}

In the ratio row every column reads as "times the raw cost": latency, CPU and calls are service ÷ raw, throughput is raw ÷ service.
An intake is more than its transaction: per intake the store was called ${perOp(intake.calls, intake.service.count)} times (${breakdown(intake.calls, intake.service.count)}):
the customer's profile is checked to be live, a reference is taken from the year's counter (a block of 20 per update), the transaction is committed
with the audit trail's chain head (${count(intake.calls.auditConflicts)} sequence conflicts retried), the customer's contact is read (audited) for the acknowledgement,
the notice is written to the outbox and its outcome stored on the complaint with one more conditional put.

**Overdue listing and report.** The populations were seeded raw with \`BatchWriteItem\` (not measured): copies of the stored complaints of the
${count(settings.customers)} customers (so that their sealed texts open) under fresh ids and references, their index keys from \`ComplaintRepository.write\`;
${fixed(settings.overdueShare * 100, 0)} % of them overdue — received 1 to 60 days earlier, every time in them moved back alike, the deadlines passed by then missed,
so they sit in the overdue index \`gsi4\` — the others open with their deadlines ahead (seeded ${seeded}; the pointers of the copies were not written,
no read here uses them). The report's ${count(input.settings.reportDays)} days (${input.settings.reportFrom} to ${input.reportTo}) × ${shards} shards = ${count(statsItems)} counter items were written raw
with counts summing to the population (every item the same ${count(input.counterNames)} counters: intake, routing, time-to-acknowledge and -resolve buckets,
met and missed limits, root causes, follow-ups, ratings, reopenings, escalations), replacing the smaller population's.
The listing is \`container.complaints.list({ overdue: 'true', limit: ${LIMIT} })\` (the first page, checked to hold ${LIMIT} overdue complaints that open), which merges
the ${shards} shards of \`gsi4\`, opens every complaint and records a \`complaint.list\` audit entry for each; its floor is one \`Query\` of one shard (turning through
the shards). The report is \`container.complaintReports.report({ from, to, interval: 'week' })\` (checked to count every complaint), which reads every day × shard
item by key, 100 to a \`BatchGetItem\`, 4 in flight, and lists the improvement actions (none here); its floor is the same \`BatchGetItem\` calls, 4 in flight.

${readsTable}

Per listing at ${count(big.size)} the store was called ${perOp(big.listCalls, big.list.count)} times (${breakdown(big.listCalls, big.list.count)}): one \`Query\` of each shard
for its share of a page, more of the shards whose share ran out before the page was full, and one transaction of the page's audit entries.
Per report ${perOp(big.reportCalls, big.report.count)} (${breakdown(big.reportCalls, big.report.count)}): the counter items, and the improvement actions' listing (one \`Query\` per shard).

${growthTable}

With ${fixed(big.size / small.size, Number.isInteger(big.size / small.size) ? 0 : 1)} times the complaints the listing's p50 was ${times(big.list.p50Ms / small.list.p50Ms)} and the report's ${times(big.report.p50Ms / small.report.p50Ms)} what they were at ${count(small.size)}
(their floors' ${times(big.query.p50Ms / small.query.p50Ms)} and ${times(big.batchGet.p50Ms / small.batchGet.p50Ms)}): ${steady(big.list.p50Ms / small.list.p50Ms, big.report.p50Ms / small.report.p50Ms)}.
By design neither reads more with more complaints: the listing reads a page's share from each shard of the overdue index wherever the index ends, and the report
reads the same ${count(statsItems)} items for a quarter whatever they count. The service's cost over its floor is the per-shard merge (${shards} and more queries for a page
instead of one), opening ${LIMIT} sealed complaints and the listing's audit entries, and summing the counters into weekly figures (plus the improvement actions' listing) for the report.
`;
}

/** Up to a quarter longer is taken as the run's noise, not growth. */
function steady(list: number, report: number): string {
  const grew = [list > 1.25 ? 'the listing' : undefined, report > 1.25 ? 'the report' : undefined].filter(Boolean);
  return grew.length ? `${grew.join(' and ')} took more than a quarter longer` : 'neither took longer with more complaints (more than a quarter longer would count as growth here)';
}
