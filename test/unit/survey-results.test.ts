import { describe, expect, it } from 'vitest';
import { groupResult, type Counters, type GroupFigures, type SegmentResult } from '../../shared/contexts/surveys/results.js';
import { answerCounters, answerCounterWrite } from '../../shared/contexts/surveys/stats.js';
import type { Answers, Question, SegmentSnapshot } from '../../shared/contexts/surveys/types.js';
import { counter, surveyStatsKey, surveyStatsShardOf, withDimensions } from '../../shared/contexts/surveys/keys.js';

const text = (s: string) => ({ 'zh-CN': s, en: s });
const questions: Question[] = [
  { id: 'nps', kind: 'nps', topic: 'experience', text: text('Recommend?'), required: true },
  { id: 'csat', kind: 'csat', topic: 'service-quality', text: text('Satisfied?'), required: false },
  { id: 'ces', kind: 'ces', topic: 'service-quality', text: text('Easy?'), required: false },
  { id: 'liked', kind: 'multiple', topic: 'product-performance', text: text('Liked'), required: false, options: [{ id: 'speed', text: text('Speed') }, { id: 'price', text: text('Price') }] },
  { id: 'why', kind: 'text', topic: 'experience', text: text('Why?'), required: false },
];

const gold: SegmentSnapshot = { type: 'individual', region: 'east', tier: 'gold', stage: 'active' } as SegmentSnapshot;
const basic: SegmentSnapshot = { ...gold, tier: 'basic' };

/** A deterministic population: 37 answers, scores spread over the scales, a few without csat or ces. */
const people = Array.from({ length: 37 }, (_, i) => {
  const answers: Answers = { nps: (i * 7) % 11 };
  if (i % 4 !== 0) answers.csat = 1 + ((i * 3) % 5);
  if (i % 3 !== 0) answers.ces = 1 + ((i * 5) % 7);
  if (i % 2 === 0) answers.liked = i % 4 === 0 ? ['speed', 'price'] : ['price'];
  if (i % 5 === 0) answers.why = `words of person ${i}`;
  return { snapshot: i < 31 ? gold : basic, answers };
});
const INVITED_GOLD = 50;
const INVITED_BASIC = 9;

/** What the dispatch counts when it queues an invitation, plus every answer's counters: the wave's summed shards. */
function waveCounters(): Counters {
  const total: Counters = {};
  const add = (from: Counters) => {
    for (const [k, v] of Object.entries(from)) total[k] = (total[k] ?? 0) + v;
  };
  for (let i = 0; i < INVITED_GOLD; i++) add(Object.fromEntries(withDimensions(counter.invited, gold).map((n) => [n, 1])));
  for (let i = 0; i < INVITED_BASIC; i++) add(Object.fromEntries(withDimensions(counter.invited, basic).map((n) => [n, 1])));
  for (const p of people) add(answerCounters({ snapshot: p.snapshot }, questions, p.answers));
  return total;
}

/** The figures the test computes itself from the raw answers. */
function expected(group: typeof people, invited: number) {
  const scores = group.map((p) => p.answers.nps as number);
  const n = scores.length;
  const promoters = scores.filter((s) => s >= 9).length;
  const detractors = scores.filter((s) => s <= 6).length;
  const p = promoters / n;
  const d = detractors / n;
  const csat = group.map((x) => x.answers.csat).filter((v): v is number => typeof v === 'number');
  const ces = group.map((x) => x.answers.ces).filter((v): v is number => typeof v === 'number');
  return {
    responses: n,
    responseRate: Math.round((n / invited) * 10_000) / 10_000,
    nps: { score: Math.round((p - d) * 100 * 10) / 10, promoters, detractors, passives: n - promoters - detractors, marginOfError95: Math.round(1.96 * 100 * Math.sqrt((p + d - (p - d) ** 2) / n) * 10) / 10 },
    csat: { n: csat.length, share: Math.round((csat.filter((v) => v >= 4).length / csat.length) * 100 * 10) / 10 },
    ces: { n: ces.length, mean: Math.round((ces.reduce((a, b) => a + b, 0) / ces.length) * 100) / 100 },
    npsDistribution: Object.fromEntries(Array.from({ length: 11 }, (_, v) => [String(v), scores.filter((s) => s === v).length])),
    liked: { speed: group.filter((x) => (x.answers.liked as string[] | undefined)?.includes('speed')).length, price: group.filter((x) => (x.answers.liked as string[] | undefined)?.includes('price')).length },
    texts: group.filter((x) => x.answers.why !== undefined).length,
  };
}

function check(figures: GroupFigures, want: ReturnType<typeof expected>, texts = want.texts) {
  expect(figures.responses).toBe(want.responses);
  expect(figures.responseRate).toBe(want.responseRate);
  const [nps, csat, ces, liked, why] = figures.questions;
  expect(nps!.n).toBe(want.responses);
  expect(nps!.nps).toEqual(want.nps);
  expect(nps!.distribution).toEqual(want.npsDistribution);
  expect(csat!.n).toBe(want.csat.n);
  expect(csat!.csat).toBe(want.csat.share);
  expect(Object.keys(csat!.distribution!)).toEqual(['1', '2', '3', '4', '5']);
  expect(ces!.n).toBe(want.ces.n);
  expect(ces!.ces).toBe(want.ces.mean);
  expect(Object.keys(ces!.distribution!)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  expect(liked!.distribution).toEqual(want.liked);
  expect(why).toEqual({ id: 'why', kind: 'text', n: texts });
}

describe('survey results', () => {
  it('computes response rate, NPS with its margin, CSAT, CES and distributions as the raw answers give them', () => {
    const result = groupResult(waveCounters(), questions, 5);
    expect('suppressed' in result).toBe(false);
    check(result as GroupFigures, expected(people, INVITED_GOLD + INVITED_BASIC));
    expect((result as GroupFigures).invited).toBe(INVITED_GOLD + INVITED_BASIC);
  });

  it('gives each segment its own figures and suppresses one under the minimum group size', () => {
    const result = groupResult(waveCounters(), questions, 7, 'tier') as GroupFigures & { segments: SegmentResult[] };
    expect(result.segments.map((s) => s.value)).toEqual(['basic', 'gold']);
    // Six answers from basic customers: under 7, only the value and the mark.
    expect(result.segments[0]).toEqual({ value: 'basic', suppressed: true });
    const goldSegment = result.segments[1] as SegmentResult & GroupFigures;
    // Text answers are counted for the wave only, never per segment: the segment shows none.
    check(goldSegment, expected(people.filter((p) => p.snapshot === gold), INVITED_GOLD), 0);
    expect(goldSegment.invited).toBe(INVITED_GOLD);
  });

  it('shows a segment at exactly the minimum and suppresses the whole group below it', () => {
    const segments = (groupResult(waveCounters(), questions, 6, 'tier') as { segments: SegmentResult[] }).segments;
    expect(segments[0]).toMatchObject({ value: 'basic', responses: 6 });
    expect(groupResult(waveCounters(), questions, 38)).toEqual({ suppressed: true });
    expect(groupResult({}, questions, 1)).toEqual({ suppressed: true });
  });

  it('answers zero rates, not NaN, for a group with nobody invited or answering a question', () => {
    const only = answerCounters({ snapshot: gold }, questions, { nps: 9 });
    const result = groupResult(only, questions, 1) as GroupFigures;
    expect(result.responseRate).toBe(0);
    expect(result.questions[0]!.nps).toEqual({ score: 100, promoters: 1, passives: 0, detractors: 0, marginOfError95: 0 });
    expect(result.questions[1]).toMatchObject({ n: 0, csat: 0 });
    expect(result.questions[2]).toMatchObject({ n: 0, ces: 0 });
  });

  it('counts an answer on the shard of its invitation, never its words', () => {
    const write = answerCounterWrite({ id: 'inv-1', surveyId: 's-1', wave: '2026-Q2', snapshot: gold }, questions, { nps: 3, why: 'my name is Wang Lei' });
    expect(write).toMatchObject({ op: 'add', key: surveyStatsKey('s-1', '2026-Q2', surveyStatsShardOf('inv-1')) });
    const counters = (write as { counters: Counters }).counters;
    expect(counters).toMatchObject({ responses: 1, 'responses|tier=gold': 1, 'q:nps=3': 1, 'q:nps=3|region=east': 1, 'q:nps#n': 1, 'text:why': 1 });
    expect(Object.keys(counters).filter((k) => k.startsWith('text:'))).toEqual(['text:why']);
    expect(JSON.stringify(counters)).not.toMatch(/Wang|Lei|name/);
  });
});
