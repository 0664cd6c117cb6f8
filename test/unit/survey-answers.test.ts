import { describe, expect, it } from 'vitest';
import { MAX_ANSWERS, validateAnswers } from '../../shared/contexts/surveys/answers.js';
import type { Question } from '../../shared/contexts/surveys/types.js';
import { ValidationError } from '../../shared/platform/errors/index.js';

const text = (s: string) => ({ 'zh-CN': s, en: s });
const questions: Question[] = [
  { id: 'nps', kind: 'nps', topic: 'experience', text: text('Recommend?'), required: true },
  { id: 'csat', kind: 'csat', topic: 'service-quality', text: text('Satisfied?'), required: false },
  { id: 'ces', kind: 'ces', topic: 'service-quality', text: text('Easy?'), required: false },
  { id: 'channel', kind: 'single', topic: 'experience', text: text('Channel'), required: false, options: [{ id: 'app', text: text('App') }, { id: 'web', text: text('Web') }] },
  { id: 'liked', kind: 'multiple', topic: 'product-performance', text: text('Liked'), required: false, options: [{ id: 'speed', text: text('Speed') }, { id: 'price', text: text('Price') }, { id: 'design', text: text('Design') }] },
  { id: 'why', kind: 'text', topic: 'experience', text: text('Why?'), required: false, maxLength: 10 },
];

/** The field names of the problem a call throws (none when it passes). */
function fieldsOf(answers: Record<string, unknown>, submit = false): string[] {
  try {
    validateAnswers(questions, answers, { submit });
    return [];
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return error.issues.map((i) => i.field);
  }
}

describe('validateAnswers', () => {
  it('takes a valid answer of every kind, texts trimmed', () => {
    expect(validateAnswers(questions, { nps: 10, csat: 1, ces: 7, channel: 'web', liked: ['price', 'speed'], why: '  slow  ' }, { submit: true })).toEqual({
      nps: 10,
      csat: 1,
      ces: 7,
      channel: 'web',
      liked: ['price', 'speed'],
      why: 'slow',
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an NPS of 11', { nps: 11 }, 'answers.nps'],
    ['an NPS below 0', { nps: -1 }, 'answers.nps'],
    ['a fractional NPS', { nps: 7.5 }, 'answers.nps'],
    ['an NPS as text', { nps: '9' }, 'answers.nps'],
    ['a CSAT of 0', { csat: 0 }, 'answers.csat'],
    ['a CSAT of 6', { csat: 6 }, 'answers.csat'],
    ['a CES of 8', { ces: 8 }, 'answers.ces'],
    ['a CES of 0', { ces: 0 }, 'answers.ces'],
    ['a single choice not offered', { channel: 'phone' }, 'answers.channel'],
    ['a single choice as a list', { channel: ['app'] }, 'answers.channel'],
    ['an empty multiple choice', { liked: [] }, 'answers.liked'],
    ['a multiple choice not offered', { liked: ['speed', 'colour'] }, 'answers.liked'],
    ['a multiple choice twice', { liked: ['speed', 'speed'] }, 'answers.liked'],
    ['more choices than offered', { liked: ['speed', 'price', 'design', 'speed'] }, 'answers.liked'],
    ['free text over the limit', { why: 'x'.repeat(11) }, 'answers.why'],
    ['blank free text', { why: '   ' }, 'answers.why'],
    ['free text as a number', { why: 5 }, 'answers.why'],
    ['an unknown question', { colour: 'red' }, 'answers.colour'],
  ])('refuses %s, naming the field', (_, answers, field) => {
    expect(fieldsOf(answers)).toEqual([field]);
  });

  it('counts characters, not UTF-16 units: ten emoji fit a limit of ten', () => {
    expect(fieldsOf({ why: '😀'.repeat(10) })).toEqual([]);
    expect(fieldsOf({ why: '😀'.repeat(11) })).toEqual(['answers.why']);
  });

  it('lets a partial save leave required questions out, not a submission', () => {
    expect(fieldsOf({ csat: 4 }, false)).toEqual([]);
    expect(fieldsOf({ csat: 4 }, true)).toEqual(['answers.nps']);
    expect(fieldsOf({}, true)).toEqual(['answers.nps']);
  });

  it('names every field wrong at once, a wrong required one once', () => {
    expect(fieldsOf({ nps: 11, ces: 9 }, true)).toEqual(['answers.nps', 'answers.ces']);
  });

  it('refuses more answers than a survey can have questions', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_ANSWERS + 1 }, (_, i) => [`q${i}`, 1]));
    expect(fieldsOf(many)).toEqual(['answers']);
  });

  it('takes no inherited property for a question', () => {
    const answers = Object.create({ nps: 5 }) as Record<string, unknown>;
    expect(fieldsOf(answers, true)).toEqual(['answers.nps']);
  });
});
