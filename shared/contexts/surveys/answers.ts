import { ValidationError, type FieldIssue } from '../../platform/errors/index.js';
import { SCALES, type Answers, type AnswerValue, type Question } from './types.js';

/** The most answers one request may carry (a survey has at most 30 questions). */
export const MAX_ANSWERS = 30;
/** A text question's limit when it names none. */
export const DEFAULT_TEXT_LENGTH = 2_000;

/**
 * Checks answers against the questions of the invitation's survey version and answers them
 * normalized (texts trimmed). Every problem is named by its field, `answers.<question id>`;
 * on `submit` every required question must be answered (saved answers included: pass the
 * merged set). Messages name the rule broken, never the value given.
 */
export function validateAnswers(questions: readonly Question[], answers: Record<string, unknown>, options: { submit: boolean }): Answers {
  const issues: FieldIssue[] = [];
  const entries = Object.entries(answers);
  if (entries.length > MAX_ANSWERS) throw new ValidationError('Too many answers.', [{ field: 'answers', message: `at most ${MAX_ANSWERS} answers` }]);
  const byId = new Map(questions.map((q) => [q.id, q]));
  const valid: Answers = {};
  for (const [id, value] of entries) {
    const question = byId.get(id);
    if (!question) {
      issues.push({ field: `answers.${id}`, message: 'is not a question of this survey' });
      continue;
    }
    const checked = checkAnswer(question, value);
    if (typeof checked === 'string') issues.push({ field: `answers.${id}`, message: checked });
    else valid[id] = checked.value;
  }
  if (options.submit) {
    for (const question of questions) {
      if (question.required && valid[question.id] === undefined && !issues.some((i) => i.field === `answers.${question.id}`)) {
        issues.push({ field: `answers.${question.id}`, message: 'is required' });
      }
    }
  }
  if (issues.length) throw new ValidationError('The answers are not valid for this survey.', issues);
  return valid;
}

/** The answer normalized, or what is wrong with it. */
function checkAnswer(question: Question, value: unknown): { value: AnswerValue } | string {
  switch (question.kind) {
    case 'nps':
    case 'csat':
    case 'ces': {
      const { min, max } = SCALES[question.kind];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return `must be an integer from ${min} to ${max}`;
      return { value };
    }
    case 'single': {
      const offered = new Set((question.options ?? []).map((o) => o.id));
      if (typeof value !== 'string' || !offered.has(value)) return 'must be the id of one of the options offered';
      return { value };
    }
    case 'multiple': {
      const offered = new Set((question.options ?? []).map((o) => o.id));
      if (!Array.isArray(value) || value.length < 1 || value.length > offered.size) return `must list 1 to ${offered.size} options`;
      if (!value.every((v): v is string => typeof v === 'string' && offered.has(v))) return 'must list only ids of the options offered';
      if (new Set(value).size !== value.length) return 'must list each option once';
      return { value: [...value] };
    }
    case 'text': {
      const max = question.maxLength ?? DEFAULT_TEXT_LENGTH;
      if (typeof value !== 'string') return 'must be text';
      const text = value.trim();
      // Characters as the customer counts them (code points), not UTF-16 units.
      const length = [...text].length;
      if (length < 1 || length > max) return `must be 1 to ${max} characters`;
      return { value: text };
    }
  }
}
