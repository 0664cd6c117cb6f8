import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { NotFoundError, ValidationError } from '../../platform/errors/index.js';
import type { Store, StoreItem } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import type { SurveyComments, CommentsQuery, CommentRow } from './comments.js';
import { counter, SURVEY_STATS_SHARDS, surveyStatsKey, WAVE_PATTERN } from './keys.js';
import type { SurveyDefinitions } from './responses.js';
import { resultDimensions, SCALES, type Question, type ResultDimension } from './types.js';

/** Counters by name (keys.ts `counter`); absent ones are 0. */
export type Counters = Record<string, number>;

export interface NpsResult {
  /** Share of promoters (9-10) minus share of detractors (0-6), in points, -100 to 100. */
  score: number;
  promoters: number;
  passives: number;
  detractors: number;
  /** Half-width of the 95% interval of the score, in points. */
  marginOfError95: number;
}

export interface QuestionResult {
  id: string;
  kind: Question['kind'];
  /** Customers who answered it. */
  n: number;
  /** Closed questions: answers per value of the scale or option, zeros included. */
  distribution?: Record<string, number>;
  nps?: NpsResult;
  /** Share of 4-5 answers in percent. */
  csat?: number;
  /** Mean of the 1-7 answers. */
  ces?: number;
}

export interface GroupFigures {
  invited: number;
  responses: number;
  /** responses / invited, 4 decimals (0 with nobody invited). */
  responseRate: number;
  questions: QuestionResult[];
}

/** A group too small to show (fewer responses than the survey's minimum) says only that. */
export type Suppressed = { suppressed: true };
export type SegmentResult = { value: string } & (GroupFigures | Suppressed);
export type GroupResult = (GroupFigures & { segments?: SegmentResult[] }) | Suppressed;

export interface SurveyResults {
  surveyId: string;
  version: number;
  minGroupSize: number;
  by?: ResultDimension;
  waves: Array<{ wave: string } & GroupResult>;
  total: GroupResult;
}

const round = (value: number, decimals: number) => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/** Every value a closed question can take: each point of its scale, or each option. */
function valuesOf(q: Question): string[] {
  if (q.kind === 'nps' || q.kind === 'csat' || q.kind === 'ces') {
    const { min, max } = SCALES[q.kind];
    return Array.from({ length: max - min + 1 }, (_, i) => String(min + i));
  }
  return (q.options ?? []).map((o) => o.id);
}

/** NPS from counts of answers per score (0-10). */
export function npsOf(distribution: Record<string, number>, n: number): NpsResult {
  let promoters = 0;
  let detractors = 0;
  for (const [value, count] of Object.entries(distribution)) {
    if (Number(value) >= 9) promoters += count;
    else if (Number(value) <= 6) detractors += count;
  }
  const passives = n - promoters - detractors;
  if (n === 0) return { score: 0, promoters, passives, detractors, marginOfError95: 0 };
  const p = promoters / n;
  const d = detractors / n;
  // Variance of a single answer scored +1/0/-1 is p + d - (p - d)^2.
  const margin = 1.96 * 100 * Math.sqrt(Math.max(0, p + d - (p - d) ** 2) / n);
  return { score: round((p - d) * 100, 1), promoters, passives, detractors, marginOfError95: round(margin, 1) };
}

/**
 * One group's figures from summed counters; `name` maps a counter to the group's own
 * (the wave's, or one dimension value's). Text questions count answers only.
 */
export function figuresOf(counters: Counters, questions: readonly Question[], name: (base: string) => string = (b) => b): GroupFigures {
  const get = (base: string) => counters[name(base)] ?? 0;
  const invited = get(counter.invited);
  const responses = get(counter.responses);
  return {
    invited,
    responses,
    responseRate: invited > 0 ? round(responses / invited, 4) : 0,
    questions: questions.map((q) => questionResult(q, get)),
  };
}

function questionResult(q: Question, get: (base: string) => number): QuestionResult {
  // Text answers are counted for the wave only (stats.ts): a segment shows none.
  if (q.kind === 'text') return { id: q.id, kind: q.kind, n: get(counter.text(q.id)) };
  const n = get(counter.answered(q.id));
  const distribution = Object.fromEntries(valuesOf(q).map((v) => [v, get(counter.value(q.id, v))]));
  const result: QuestionResult = { id: q.id, kind: q.kind, n, distribution };
  if (q.kind === 'nps') result.nps = npsOf(distribution, n);
  if (q.kind === 'csat') result.csat = n > 0 ? round((((distribution['4'] ?? 0) + (distribution['5'] ?? 0)) / n) * 100, 1) : 0;
  if (q.kind === 'ces') result.ces = n > 0 ? round(Object.entries(distribution).reduce((sum, [v, c]) => sum + Number(v) * c, 0) / n, 2) : 0;
  return result;
}

/** The values of a dimension found in the counters (from who was invited and who answered). */
function dimensionValues(counters: Counters, by: ResultDimension): string[] {
  const values = new Set<string>();
  for (const base of [counter.invited, counter.responses]) {
    const prefix = `${base}|${by}=`;
    for (const name of Object.keys(counters)) if (name.startsWith(prefix)) values.add(name.slice(prefix.length));
  }
  return [...values].sort();
}

/** A group's result: suppressed under the minimum, else its figures (and its segments by `by`). */
export function groupResult(counters: Counters, questions: readonly Question[], minGroupSize: number, by?: ResultDimension): GroupResult {
  const figures = figuresOf(counters, questions);
  if (figures.responses < minGroupSize) return { suppressed: true };
  if (!by) return figures;
  const segments = dimensionValues(counters, by).map((value): SegmentResult => {
    const segment = figuresOf(counters, questions, (base) => counter.by(base, by, value));
    return segment.responses < minGroupSize ? { value, suppressed: true } : { value, ...segment };
  });
  return { ...figures, segments };
}

const add = (into: Counters, from: Counters) => {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
  return into;
};

/**
 * Survey results (SAT-2): per wave and in total, from the waves' counter shards read by key
 * (waves x SURVEY_STATS_SHARDS items, however many answers), groups under the survey's
 * minimum suppressed. Free text is read through `comments`, by roles whose purpose allows it.
 */
export class SurveyResultsService {
  constructor(private readonly deps: { store: Store; audit: AuditTrail; definitions: SurveyDefinitions; comments: SurveyComments }) {}

  async results(surveyId: string, query: { by?: ResultDimension; wave?: string }, context: AuditContext): Promise<SurveyResults> {
    if (query.by !== undefined && !resultDimensions.includes(query.by)) throw new ValidationError('Unknown grouping.', [{ field: 'by', message: `must be one of ${resultDimensions.join(', ')}` }]);
    const survey = await this.deps.definitions.definition(surveyId);
    if (!survey) throw new NotFoundError('No survey has this id.', 'id');
    if (query.wave !== undefined && (!WAVE_PATTERN.test(query.wave) || !survey.waves.includes(query.wave))) throw new NotFoundError('The survey has no such wave.', 'wave');
    const waves = query.wave !== undefined ? [query.wave] : survey.waves;
    const perWave = await this.countersOf(surveyId, waves);
    const total: Counters = {};
    for (const counters of perWave.values()) add(total, counters);
    await this.deps.audit.record(context, [{ action: 'survey.results', target: { type: 'survey', id: surveyId } }]);
    const { questions, minGroupSize } = survey;
    return {
      surveyId,
      version: survey.version,
      minGroupSize,
      ...(query.by ? { by: query.by } : {}),
      waves: waves.map((wave) => ({ wave, ...groupResult(perWave.get(wave) ?? {}, questions, minGroupSize, query.by) })),
      total: groupResult(total, questions, minGroupSize, query.by),
    };
  }

  comments(surveyId: string, query: CommentsQuery, context: AuditContext): Promise<{ items: CommentRow[]; cursor?: string }> {
    return this.deps.comments.list(surveyId, query, context);
  }

  /** Every shard of each wave by key (BatchGet, at most 100 keys a call), summed per wave. */
  private async countersOf(surveyId: string, waves: readonly string[]): Promise<Map<string, Counters>> {
    const keys = waves.flatMap((wave) => Array.from({ length: SURVEY_STATS_SHARDS }, (_, shard) => surveyStatsKey(surveyId, wave, shard)));
    const byPk = new Map(waves.flatMap((wave) => Array.from({ length: SURVEY_STATS_SHARDS }, (_, shard) => [surveyStatsKey(surveyId, wave, shard).pk, wave] as const)));
    const chunks: StoreItem[][] = [];
    for (let i = 0; i < keys.length; i += 100) chunks.push(keys.slice(i, i + 100));
    const items = (await Promise.all(chunks.map((chunk) => this.deps.store.getMany<StoreItem>(dataTable.name, chunk)))).flat();
    const perWave = new Map<string, Counters>(waves.map((wave) => [wave, {}]));
    for (const item of items) {
      const wave = byPk.get(String(item.pk));
      const counters = wave === undefined ? undefined : perWave.get(wave);
      if (!counters) continue;
      for (const [name, value] of Object.entries(item)) if (name !== 'pk' && name !== 'sk' && typeof value === 'number') counters[name] = (counters[name] ?? 0) + value;
    }
    return perWave;
  }
}
