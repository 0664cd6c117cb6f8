import { addCalls, type StoreCalls } from './counting-store.js';
import { count, fixed, table, times } from './report.js';

/** One size of the scope by actor: the job's runs and the raw reads of the same entries (milliseconds, medians). */
export interface ScopeFigures {
  entries: number;
  runs: number;
  pages: number;
  jobMs: number;
  jobMaxMs: number;
  /** Store calls of one run (the last), start included. */
  calls: StoreCalls;
  pagedMs: number;
  queryMs: number;
}

/** One detector batch: its time, the entries it counted and the store calls it made. */
export interface DetectorBatchFigures {
  /** The first batch of its hour: every subject-hour counter is created, baselines advance. */
  opensHour: boolean;
  ms: number;
  observed: number;
  calls: StoreCalls;
}

export interface IncidentBenchFigures {
  customers: number;
  seeded: number;
  seedSeconds: number;
  concurrency: number;
  notify: {
    pageSize: number;
    pages: number;
    pagesMs: number;
    queued: number;
    delivered: number;
    deliverMs: number;
    outcomes: Record<string, number>;
    queueMs: number;
    pageCalls: StoreCalls;
    deliveryCalls: StoreCalls;
  };
  trail: { entries: number; actors: number; days: number; seedSeconds: number; shards: number; pageSize: number };
  scope: ScopeFigures[];
  detector: {
    batchSize: number;
    actors: number;
    batchesPerHour: number;
    batches: DetectorBatchFigures[];
    /** Each batch's stream records converted to entries, as the stream consumer does (`auditEntryOfImage`). */
    floorMs: number[];
    findings: number;
    opened: number;
  };
}

const NO_CALLS: StoreCalls = { get: 0, getMany: 0, query: 0, increment: 0, transact: 0, auditConflicts: 0, total: 0 };
const perSec = (n: number, ms: number) => (ms > 0 ? (n / ms) * 1000 : Number.NaN);
const per = (n: number, of: number) => (of > 0 ? n / of : Number.NaN);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const calls = (c: StoreCalls) => `${count(c.total)} (${c.get} get, ${c.getMany} batch get, ${c.query} query, ${c.increment} update, ${c.transact} transaction)`;

/** The breach-response section: notification beside the queue floor, scope by actor at two sizes beside raw reads, the detector per entry. */
export function renderIncidents(f: IncidentBenchFigures): string {
  return [...notification(f), '', ...scope(f), '', ...detector(f)].join('\n');
}

function notification(f: IncidentBenchFigures): string[] {
  const n = f.notify;
  const overallMs = n.pagesMs + n.deliverMs;
  const rate = perSec(n.delivered, overallMs);
  const queueRate = perSec(n.queued, n.queueMs);
  const outcomes = Object.entries(n.outcomes).map(([k, v]) => `${count(v)} ${k}`).join(', ');
  return [
    `**Notification.** An incident with ${count(f.customers)} affected customers (created through the customer service, ${count(f.seeded)} in all,`,
    `${fixed(f.seedSeconds, 1)} s, not timed; their AFFECTED items, a finished scope run and its counters written raw in the layout of`,
    '`shared/contexts/incidents/keys.ts`), notified in process on one container (no HTTP, no queue): `incidentNotifications.start`, then',
    `\`runPage\` until the walk is done (up to ${n.pageSize} notices a page, one page at a time, as the queue hands them on), then \`deliver\``,
    `for every queued notice, ${f.concurrency} in flight, to a notifier that only counts (no disk). Beside it, the floor: as many`,
    '`IncidentNotificationQueued` messages sent through the local queue stand-in (`local/queue.ts`: one file per message, consumed and removed).',
    '',
    table(
      ['Path', 'Messages', 'Calls', 'Seconds', 'Messages/s'],
      [
        [`pages (\`start\` + ${count(n.pages)} \`runPage\`)`, count(n.queued), count(n.pageCalls.total), fixed(n.pagesMs / 1000, 2), fixed(perSec(n.queued, n.pagesMs), 0)],
        ['deliveries (`deliver`)', count(n.delivered), count(n.deliveryCalls.total), fixed(n.deliverMs / 1000, 2), fixed(perSec(n.delivered, n.deliverMs), 0)],
        ['overall (pages + deliveries)', count(n.delivered), count(n.pageCalls.total + n.deliveryCalls.total), fixed(overallMs / 1000, 2), fixed(rate, 0)],
        ['raw: local queue sends of the same messages', count(n.queued), '–', fixed(n.queueMs / 1000, 2), fixed(queueRate, 0)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Pages: each writes up to ${n.pageSize} notices and their counter in one transaction, so the walk makes notices at`,
    `${fixed(perSec(n.queued, n.pagesMs), 0)}/s with ${fixed(per(n.pageCalls.total, n.pages), 1)} store calls a page (${calls(n.pageCalls)} in all).`,
    `Deliveries: each notice is read with the incident and the run, claimed, its contact opened (the customer's data key, an audited read),`,
    `sent and settled, and the run and its counter shards read again to see whether the run is finished: ${fixed(per(n.deliveryCalls.total, n.delivered), 1)} store calls a notice`,
    `(${calls(n.deliveryCalls)}); outcomes: ${outcomes}.`,
    `Overall the ${count(n.delivered)} customers were told in ${fixed(overallMs / 1000, 1)} s, ${fixed(rate, 0)} a second on this machine; the queue floor alone`,
    `moves the same messages ${times(queueRate / rate)} as fast, so the notices' own reads and writes, not the queue, set the pace.`,
  ];
}

function scope(f: IncidentBenchFigures): string[] {
  const t = f.trail;
  const [small, large] = [f.scope[0], f.scope[f.scope.length - 1]];
  const growth = small && large && small !== large ? [
    '',
    `From ${count(small.entries)} to ${count(large.entries)} of the actor's entries (${times(large.entries / small.entries)}), the scope run took ${times(large.jobMs / small.jobMs)} as long, the paged raw read`,
    `${times(large.pagedMs / small.pagedMs)} and the raw shard queries ${times(large.queryMs / small.queryMs)}: the time follows the actor's entries in the window (the run's start and`,
    `its first page are a fixed part, heavier at the small size). The ${count(t.entries)} entries of the trail do not enter the query: it reads only`,
    `the ${t.shards + 1} partitions of the actor's index key (${t.shards} shards and the legacy key) between the window's bounds.`,
  ] : [];
  return [
    `**Scope by actor.** An audit trail of ${count(t.entries)} entries written raw (\`BatchWriteItem\`, items as \`AuditRepository.appendWrites\` builds them,`,
    `${fixed(t.seedSeconds, 1)} s, ${fixed(perSec(t.entries, t.seedSeconds * 1000), 0)} items/s, not timed) over ${t.days} days by ${count(t.actors)} staff accounts, mostly record reads; in it, one suspect per`,
    'size whose reads of that many distinct customers sit in a two-hour window. Each size: the real scope job (`incidentScopes.start` with',
    `\`{ by: 'actor' }\` and the window, then \`runPage\` until done; ${t.pageSize} entries a page, each page reading the actor's ${t.shards} index shards and legacy key,`,
    'the affected set and the profiles, and writing the new AFFECTED items with the run and a counter in one transaction), each run on a fresh',
    'incident, median of the runs. Beside it, two raw reads of the same entries: `querySharded` in pages of the same size (the job\'s reads',
    'without its writes), and one `Query` per shard in parallel, each read to its end (the floor).',
    '',
    table(
      ['Actor\'s entries', 'Pages', 'Runs', 'Scope job ms', 'Max ms', 'Store calls a run', 'Raw paged ms', 'Raw shard queries ms', 'Job ÷ floor'],
      f.scope.map((s) => [count(s.entries), count(s.pages), count(s.runs), fixed(s.jobMs, 0), fixed(s.jobMaxMs, 0), count(s.calls.total), fixed(s.pagedMs, 1), fixed(s.queryMs, 1), times(s.jobMs / s.queryMs)]),
      ['r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    ...f.scope.map(
      (s) =>
        `${count(s.entries)} entries: ${fixed(perSec(s.entries, s.jobMs), 0)} customers scoped a second, ${fixed(per(s.calls.total, s.pages), 1)} store calls a page (${calls(s.calls)}; every page asks each partition again from its cursor, ${fixed(per(s.calls.query, s.pages), 1)} queries a page); the paged raw read alone takes ${fixed((100 * s.pagedMs) / s.jobMs, 0)}% of the job's time.`,
    ),
    ...growth,
  ];
}

function detector(f: IncidentBenchFigures): string[] {
  const d = f.detector;
  const group = (batches: DetectorBatchFigures[]) => {
    const entries = batches.length * d.batchSize;
    const total = batches.reduce((a, b) => addCalls(a, b.calls), NO_CALLS);
    return { count: batches.length, entries, usPerEntry: per(sum(batches.map((b) => b.ms)) * 1000, entries), callsPerBatch: per(total.total, batches.length), total };
  };
  const opening = group(d.batches.filter((b) => b.opensHour));
  const later = group(d.batches.filter((b) => !b.opensHour));
  const all = group(d.batches);
  const floorUs = per(sum(d.floorMs) * 1000, d.floorMs.length * d.batchSize);
  const row = (label: string, g: ReturnType<typeof group>) => [label, count(g.count), count(g.entries), fixed(g.usPerEntry, 1), fixed(g.callsPerBatch, 1), fixed(per(g.callsPerBatch, d.batchSize), 2)];
  return [
    `**Unusual-access detector.** \`accessDetector.observe\` over ${count(d.batches.length)} batches of ${count(d.batchSize)} audit entries, one batch at a time as one stream`,
    `shard hands them on, ${d.batchesPerHour} batches an hour of entries (business hours in Shanghai, so the off-hours rule counts nothing): ${count(d.actors)} staff accounts`,
    'reading records (86% of the entries) and changing them, one account exporting, customers reading their own record through self-service,',
    'wrong one-time codes from 16 sources and the system\'s own entries (not counted). Store calls counted by a wrapper of the store the',
    'container uses. The floor: the same batches as DynamoDB stream records, each converted to an entry as the stream consumer does',
    '(`auditEntryOfImage`: unmarshalling the new image), nothing counted.',
    '',
    table(
      ['Path', 'Batches', 'Entries', 'µs per entry', 'Store calls a batch', 'Calls per entry'],
      [
        row('`observe`, first batch of an hour', opening),
        row('`observe`, later batches of the hour', later),
        row('`observe`, all batches', all),
        ['raw: unmarshalling the stream records', count(d.floorMs.length), count(d.floorMs.length * d.batchSize), fixed(floorUs, 1), '–', '–'],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `A batch makes one counter update per subject-hour it touches, so its calls follow the distinct subjects in it, not its entries (customers on`,
    `their own record and attacked contacts are new subjects in every batch, each a new counter and, for a customer, a distinct-customer marker):`,
    `${fixed(later.callsPerBatch, 1)} a later batch (${calls(later.total)} over ${count(later.count)}), ${fixed(opening.callsPerBatch, 1)} the first of an hour, which also stamps each new`,
    `counter and advances each actor's baseline (${calls(opening.total)} over ${count(opening.count)}). Per entry the detector costs ${fixed(all.usPerEntry, 1)} µs on this machine against`,
    `${fixed(floorUs, 1)} µs to unmarshal the record (${times(all.usPerEntry / floorUs)}); the batches raised ${count(d.findings)} findings and opened ${count(d.opened)} draft incidents.`,
  ];
}
