import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { createSurveySchema, dispatchSurveySchema, segmentSchema, surveyResponseSchema, surveyResultsQuery, updateSurveySchema } from '../../shared/contexts/surveys/schemas.js';

const text = { 'zh-CN': '您会推荐我们吗？', en: 'Would you recommend us?' };
const nps = { id: 'recommend', kind: 'nps', topic: 'experience', text };
const choice = { id: 'channel', kind: 'single', topic: 'service-quality', text, options: [{ id: 'phone', text }, { id: 'web', text }] };
const survey = (over: Record<string, unknown> = {}) => ({ title: text, questions: [nps], ...over });

/** The paths of the issues a value raises, joined (`questions.0.options`). */
function issues(schema: z.ZodMiniType, value: unknown): string[] {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => i.path.map(String).join('.'));
}

describe('survey definitions (SAT-1)', () => {
  it('accepts a minimal survey and one with every kind of question', () => {
    expect(issues(createSurveySchema, survey())).toEqual([]);
    const all = [
      nps,
      { id: 'csat', kind: 'csat', topic: 'service-quality', text },
      { id: 'ces', kind: 'ces', topic: 'experience', text, required: false },
      choice,
      { ...choice, id: 'features', kind: 'multiple', topic: 'product-performance' },
      { id: 'why', kind: 'text', topic: 'experience', text, maxLength: 4000 },
    ];
    expect(issues(createSurveySchema, survey({ questions: all, recurrence: { every: 'quarter', segment: { tier: 'gold' }, sampleSize: 500 }, trigger: { event: 'complaint.closed' } }))).toEqual([]);
  });

  it('requires both languages, within their limits', () => {
    expect(issues(createSurveySchema, survey({ title: { en: 'Only English' } }))).toEqual(['title.zh-CN']);
    expect(issues(createSurveySchema, survey({ title: { ...text, en: 'x'.repeat(501) } }))).toEqual(['title.en']);
    expect(issues(createSurveySchema, survey({ intro: { ...text, en: 'x'.repeat(2001) } }))).toEqual(['intro.en']);
    expect(issues(createSurveySchema, survey({ title: { ...text, fr: 'Bonjour' } }))).toEqual(['title']);
  });

  it('takes 1 to 30 questions with unique code ids', () => {
    expect(issues(createSurveySchema, survey({ questions: [] }))).toEqual(['questions']);
    expect(issues(createSurveySchema, survey({ questions: Array.from({ length: 31 }, (_, i) => ({ ...nps, id: `q${i}` })) }))).toEqual(['questions']);
    expect(issues(createSurveySchema, survey({ questions: [nps, nps] }))).toEqual(['questions.1.id']);
    expect(issues(createSurveySchema, survey({ questions: [{ ...nps, id: 'Not A Code' }] }))).toEqual(['questions.0.id']);
  });

  it('gives options to choices only, 2 to 20 unique ones, and a length to text only', () => {
    expect(issues(createSurveySchema, survey({ questions: [{ ...choice, options: undefined }] }))).toEqual(['questions.0.options']);
    expect(issues(createSurveySchema, survey({ questions: [{ ...nps, options: choice.options }] }))).toEqual(['questions.0.options']);
    expect(issues(createSurveySchema, survey({ questions: [{ ...choice, options: [choice.options[0]] }] }))).toEqual(['questions.0.options']);
    expect(issues(createSurveySchema, survey({ questions: [{ ...choice, options: [choice.options[0], choice.options[0]] }] }))).toEqual(['questions.0.options.1.id']);
    expect(issues(createSurveySchema, survey({ questions: [{ ...nps, maxLength: 10 }] }))).toEqual(['questions.0.maxLength']);
    expect(issues(createSurveySchema, survey({ questions: [{ id: 'why', kind: 'text', topic: 'experience', text, maxLength: 4001 }] }))).toEqual(['questions.0.maxLength']);
  });

  it('bounds the settings and refuses unknown fields', () => {
    expect(issues(createSurveySchema, survey({ contactFrequencyDays: 367 }))).toEqual(['contactFrequencyDays']);
    expect(issues(createSurveySchema, survey({ contactFrequencyDays: 0, linkValidDays: 90, minGroupSize: 100 }))).toEqual([]);
    expect(issues(createSurveySchema, survey({ linkValidDays: 0 }))).toEqual(['linkValidDays']);
    expect(issues(createSurveySchema, survey({ minGroupSize: 101 }))).toEqual(['minGroupSize']);
    expect(issues(createSurveySchema, survey({ risk: { npsAtMost: 11 } }))).toEqual(['risk.npsAtMost']);
    expect(issues(createSurveySchema, survey({ risk: { csatAtMost: 0 } }))).toEqual(['risk.csatAtMost']);
    expect(issues(createSurveySchema, survey({ recurrence: { every: 'month', segment: {} } }))).toEqual(['recurrence.every']);
    expect(issues(createSurveySchema, survey({ trigger: { event: 'customer.created' } }))).toEqual(['trigger.event']);
    expect(issues(createSurveySchema, survey({ status: 'published' }))).toEqual(['']);
  });

  it('updates at least one field', () => {
    expect(issues(updateSurveySchema, {})).toEqual(['title']);
    expect(issues(updateSurveySchema, { minGroupSize: 3 })).toEqual([]);
  });
});

describe('segments, dispatches, answers, results (SAT-2)', () => {
  it('checks a segment strictly', () => {
    expect(issues(segmentSchema, { type: 'individual', region: 'east', tier: 'gold', stage: 'active', tag: 'vip', complaintClosedWithinDays: 366 })).toEqual([]);
    expect(issues(segmentSchema, { complaintClosedWithinDays: 0 })).toEqual(['complaintClosedWithinDays']);
    expect(issues(segmentSchema, { type: 'robot' })).toEqual(['type']);
    expect(issues(segmentSchema, { city: 'Shanghai' })).toEqual(['']);
  });

  it('bounds a sample and names a wave with a label', () => {
    expect(issues(dispatchSurveySchema, {})).toEqual([]);
    expect(issues(dispatchSurveySchema, { sampleSize: 1_000_000, wave: '2026-Q3' })).toEqual([]);
    expect(issues(dispatchSurveySchema, { sampleSize: 0 })).toEqual(['sampleSize']);
    expect(issues(dispatchSurveySchema, { sampleSize: 1_000_001 })).toEqual(['sampleSize']);
    expect(issues(dispatchSurveySchema, { wave: '2026 Q3' })).toEqual(['wave']);
  });

  it('bounds an answer request', () => {
    expect(issues(surveyResponseSchema, { token: 't', answers: { recommend: 9 }, submit: true })).toEqual([]);
    expect(issues(surveyResponseSchema, { token: 'x'.repeat(201), answers: {} })).toEqual(['token']);
    const many = Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`q${i}`, 1]));
    expect(issues(surveyResponseSchema, { token: 't', answers: many })).toEqual(['answers']);
  });

  it('groups results by a known dimension only', () => {
    expect(issues(surveyResultsQuery, { by: 'tier', wave: '2026-Q1' })).toEqual([]);
    expect(issues(surveyResultsQuery, { by: 'name' })).toEqual(['by']);
  });
});
