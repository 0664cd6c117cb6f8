import { percentile, type Figures, type Timings } from './measure.js';
import { count, fixed, table, times } from './report.js';

export interface SurveyBenchFigures {
  customers: number;
  seedSeconds: number;
  concurrency: number;
  pageSize: number;
  dispatch: { pages: number; pagesMs: number; delivered: number; deliverMs: number; queueSends: number; queueMs: number };
  intake: { service: Timings; raw: Timings; itemBytes: number };
  results: Array<{ answers: number; service: Figures; batchGet: Figures; statsItems: number }>;
}

const perSec = (n: number, ms: number) => (ms > 0 ? (n / ms) * 1000 : Number.NaN);
const p = (t: Timings, q: number) => percentile([...t.latenciesMs].sort((a, b) => a - b), q);

/** The surveys section: dispatch throughput beside the queue floor, answer intake beside a raw put, results at two sizes. */
export function renderSurveys(f: SurveyBenchFigures): string {
  const { dispatch, intake } = f;
  const invitationMs = dispatch.pagesMs + dispatch.deliverMs;
  const rate = perSec(dispatch.delivered, invitationMs);
  const queueRate = perSec(dispatch.queueSends, dispatch.queueMs);
  const svc50 = p(intake.service, 50);
  const raw50 = p(intake.raw, 50);
  return [
    `A published survey dispatched to ${count(f.customers)} eligible customers (created through the customer service with the \`survey\``,
    `purpose consented, ${fixed(f.seedSeconds, 1)} s, not timed), in process on one container (no HTTP, no queue): \`runPage\` until the`,
    `dispatch is done (${f.pageSize} candidates a page, one at a time, as the queue hands them on), then \`deliver\` for every queued invitation,`,
    `${f.concurrency} in flight, to an in-memory notifier. Beside it, the floor: the same number of \`SurveyInvitationQueued\` messages sent`,
    'through the local queue stand-in (`local/queue.ts`: one file per message, consumed and removed), no invitation written.',
    '',
    table(
      ['Path', 'Invitations', 'Pages', 'Pages s', 'Sends s', 'Invitations/s'],
      [
        ['dispatch (`runPage` + `deliver`)', count(dispatch.delivered), count(dispatch.pages), fixed(dispatch.pagesMs / 1000, 2), fixed(dispatch.deliverMs / 1000, 2), fixed(rate, 0)],
        ['raw: local queue sends of the same messages', count(dispatch.queueSends), '–', '–', fixed(dispatch.queueMs / 1000, 2), fixed(queueRate, 0)],
      ],
      ['l', 'r', 'r', 'r', 'r', 'r'],
    ),
    '',
    `Ratio of the floor's rate to the dispatch's: ${times(queueRate / rate)}.`,
    '',
    `Answer intake: \`respond\` with \`submit\` through a signed link (token verified, answers checked and sealed, counters added in one`,
    `transaction), ${f.concurrency} in flight, beside one raw \`PutItem\` of the same stored invitation item (${count(intake.itemBytes)} bytes as JSON)`,
    'under a fresh key.',
    '',
    table(
      ['Path', 'Answers', 'p50 ms', 'p95 ms', 'Answers/s'],
      [
        ['`respond` (submit)', count(intake.service.latenciesMs.length), fixed(svc50, 2), fixed(p(intake.service, 95), 2), fixed(perSec(intake.service.latenciesMs.length, intake.service.wallMs), 0)],
        ['raw `PutItem` of the same item', count(intake.raw.latenciesMs.length), fixed(raw50, 2), fixed(p(intake.raw, 95), 2), fixed(perSec(intake.raw.latenciesMs.length, intake.raw.wallMs), 0)],
      ],
      ['l', 'r', 'r', 'r', 'r'],
    ),
    '',
    'The results call (one wave, grouped by region) over 10,000 and 100,000 answers. Results read only the wave\'s counter shards, so the',
    'answers are seeded as those counters directly (the sums `answerCounters` gives for that many submissions, spread over the shards):',
    'equivalent for this read to that many answers taken in. Beside it, one raw `BatchGetItem` of the same counter items. One call at a time.',
    '',
    table(
      ['Answers', 'Counter items', 'Results p50 ms', 'Results p99 ms', 'Raw BatchGet p50 ms', 'Raw BatchGet p99 ms'],
      f.results.map((r) => [count(r.answers), count(r.statsItems), fixed(r.service.p50Ms, 2), fixed(r.service.p99Ms, 2), fixed(r.batchGet.p50Ms, 2), fixed(r.batchGet.p99Ms, 2)]),
      ['r', 'r', 'r', 'r', 'r', 'r'],
    ),
  ].join('\n');
}
