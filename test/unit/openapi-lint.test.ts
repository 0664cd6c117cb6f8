import { Spectral } from '@stoplight/spectral-core';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/platform/document.js';
import { openApiRuleset } from '../support/openapi-ruleset.js';

const severities = ['error', 'warning', 'info', 'hint'];

describe('the OpenAPI document under Spectral', () => {
  it('has no finding of the spectral:oas rules at any severity', { timeout: 30_000 }, async () => {
    const spectral = new Spectral();
    spectral.setRuleset(openApiRuleset);
    const results = await spectral.run(JSON.stringify(openApiDocument(), null, 2));
    const findings = results.map((r) => `${severities[r.severity]} ${r.code} at ${r.path.join('.')}: ${r.message}`);
    expect(findings).toEqual([]);
  });
});
