import { relative } from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';

const SHOWN = 10;

/**
 * Prints the slowest test files at the end of a run: where the time of `npm test` goes,
 * so a file that grows slow is seen when it lands. Import is loading the file and what it
 * imports; tests include their hooks (a synth or an app started in `beforeAll`).
 */
export default class SlowestFiles implements Reporter {
  private vitest!: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    if (modules.length < 2) return;
    const rows = modules.map((module) => {
      const d = module.diagnostic();
      const setup = d.environmentSetupDuration + d.prepareDuration + d.setupDuration;
      return { file: relative(this.vitest.config.root, module.moduleId), setup, imports: d.collectDuration, tests: d.duration, total: setup + d.collectDuration + d.duration };
    });
    rows.sort((a, b) => b.total - a.total);
    const seconds = (ms: number) => (ms / 1000).toFixed(1).padStart(6);
    const width = Math.max(...rows.slice(0, SHOWN).map((row) => row.file.length));
    const lines = [
      '',
      ` Slowest ${Math.min(SHOWN, rows.length)} of ${rows.length} test files (seconds)`,
      `  ${'file'.padEnd(width)}  ${'total'.padStart(6)}  ${'import'.padStart(6)}  ${'tests'.padStart(6)}`,
      ...rows.slice(0, SHOWN).map((row) => `  ${row.file.padEnd(width)}  ${seconds(row.total)}  ${seconds(row.imports)}  ${seconds(row.tests)}`),
      '',
    ];
    this.vitest.logger.log(lines.join('\n'));
  }
}
