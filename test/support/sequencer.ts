import { readFileSync } from 'node:fs';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** A file that reads the run's one `cdk synth` (test/infra/support.ts). */
const readsSynth = (spec: TestSpecification) => readFileSync(spec.moduleId, 'utf8').includes('synthesized()');

/**
 * Vitest's order (failed first, then slowest first), except for the files that read the
 * run's one `cdk synth`: the first of them goes first and starts it, so that it runs
 * beside the other files instead of ahead of them, and the others go last, when it is done.
 */
export default class SynthFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const readers = sorted.filter(readsSynth);
    return [...readers.slice(0, 1), ...sorted.filter((spec) => !readers.includes(spec)), ...readers.slice(1)];
  }
}
