import { App } from 'aws-cdk-lib';
import { buildKehu, type KehuStacks } from '../../infra/app.js';
import { readDeploymentConfig } from '../../infra/config.js';

/**
 * The whole app, synthesized once per test file, with a test configuration. Without
 * CDK's built-in CloudFormation validation, which takes most of a synth's time: the
 * `npm run synth` test (nag.test.ts) runs it on the real templates.
 */
export function buildTestApp(context: Record<string, unknown> = {}): { app: App; stacks: KehuStacks } {
  const app = new App({
    outdir: undefined,
    builtinCloudFormationValidation: false,
    context: { 'kehu:stage': 'test', 'kehu:account': '123456789012', ...context },
  });
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key), {});
  return { app, stacks: buildKehu(app, config) };
}
