import type { RulesetDefinition } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';

/**
 * The lint rules for the API description: Spectral's `spectral:oas` recommended rules,
 * plus one it leaves off that a reader of the reference page notices: every tag
 * explained. The OpenAPI lint test allows zero findings.
 */
export const openApiRuleset: RulesetDefinition = {
  extends: [[oas as RulesetDefinition, 'recommended']],
  rules: {
    'tag-description': 'warn',
  },
};
