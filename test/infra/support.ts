import { App } from 'aws-cdk-lib';
import { buildKehu, type KehuStacks } from '../../infra/app.js';
import { readDeploymentConfig } from '../../infra/config.js';

/** The whole app, synthesized once per test file, with a test configuration. */
export function buildTestApp(context: Record<string, unknown> = {}): { app: App; stacks: KehuStacks } {
  const app = new App({ outdir: undefined, context: { 'kehu:stage': 'test', 'kehu:account': '123456789012', ...context } });
  const config = readDeploymentConfig((key) => app.node.tryGetContext(key), {});
  return { app, stacks: buildKehu(app, config) };
}
