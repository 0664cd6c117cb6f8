import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ValidationError, type FieldIssue } from '../../shared/platform/errors/index.js';

// English messages that describe the rule, never the rejected value.
z.config(en());

export type Location = 'body' | 'query' | 'path' | 'header';

/** Parses `value`, or throws a ValidationError naming each offending field. */
export function parse<S extends z.ZodMiniType>(schema: S, value: unknown, location: Location): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...path, key].join('.'), message: 'is not a known field' }));
    }
    return [{ field: path.join('.') || location, message: issue.message }];
  });
  const fields = [...new Set(issues.map((i) => i.field))].join(', ');
  throw new ValidationError(`Invalid ${location === 'path' ? 'path parameter' : location}: ${fields}.`, issues);
}
