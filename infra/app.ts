import { App, Aspects, Validations, type IAspect, type StackProps } from 'aws-cdk-lib';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { IConstruct } from 'constructs';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { readDeploymentConfig, scaleEnvironment, type DeploymentConfig } from './config.js';
import { ApiStack } from './stacks/api-stack.js';
import { DataStack } from './stacks/data-stack.js';
import { EventsStack } from './stacks/events-stack.js';
import { IdentityStack } from './stacks/identity-stack.js';
import { ObservabilityStack } from './stacks/observability-stack.js';

export interface KehuStacks {
  data: DataStack;
  identity: IdentityStack;
  api: ApiStack;
  events: EventsStack;
  observability: ObservabilityStack;
}

/** Gives every Kehu function the same shard counts and audit chains (docs/scaling.md). */
class ScaleSettings implements IAspect {
  constructor(private readonly environment: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (node instanceof NodejsFunction) for (const [name, value] of Object.entries(this.environment)) node.addEnvironment(name, value);
  }
}

/** The whole deployment: one stack per concern, wired together. */
export function buildKehu(app: App, config: DeploymentConfig): KehuStacks {
  const env = { region: config.region, ...(config.account ? { account: config.account } : {}) };
  const base = (description: string): StackProps => ({ env, description, tags: { application: 'kehu', stage: config.stage } });
  const name = (concern: string) => `Kehu-${config.stage}-${concern}`;

  Aspects.of(app).add(new ScaleSettings(scaleEnvironment(config)));
  const data = new DataStack(app, name('Data'), { ...base('Kehu: tables, keys, backups'), config });
  const identity = new IdentityStack(app, name('Identity'), { ...base('Kehu: staff sign-in'), config });
  const shared = {
    config,
    tablePrefix: data.tablePrefix,
    dataTable: data.dataTable,
    keysTable: data.keysTable,
    auditTable: data.auditTable,
    storageKey: data.storageKey,
    applicationKey: data.applicationKey,
    auditKey: data.auditKey,
    auditCheckpointBucketName: data.auditCheckpointBucketName,
  };
  const events = new EventsStack(app, name('Events'), { ...base('Kehu: event bus, queues, schedules'), ...shared });
  const api = new ApiStack(app, name('Api'), {
    ...base('Kehu: HTTP API and its functions'),
    ...shared,
    downloadsBucketName: data.downloadsBucketName,
    bus: events.bus,
    userPool: identity.userPool,
    webClient: identity.webClient,
  });
  const observability = new ObservabilityStack(app, name('Observability'), {
    ...base('Kehu: alarms and dashboard'),
    config,
    api: api.api,
    functions: {
      ...api.functions,
      jobs: events.jobsFunction,
      erasure: events.erasureFunction,
      'complaint-escalations': events.complaintEscalationsFunction,
      'survey-dispatch': events.surveyDispatchFunction,
      'incident-work': events.incidentWorkFunction,
      'audit-stream': events.auditStreamFunction,
    },
    deadLetterQueues: events.deadLetterQueues,
  });
  return { data, identity, api, events, observability };
}

/** The cdk-nag packs the app is held to: AWS's own guidance and NIST 800-53 rev. 5. */
export function nagPacks(): [AwsSolutionsChecks, NIST80053R5Checks] {
  return [new AwsSolutionsChecks(), new NIST80053R5Checks()];
}

/** The app as `cdk synth` builds it: a violation of either cdk-nag pack fails synth. */
export function buildCheckedKehu(app: App): KehuStacks {
  const stacks = buildKehu(app, readDeploymentConfig((key) => app.node.tryGetContext(key)));
  Validations.of(app).addPlugins(...nagPacks());
  return stacks;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = new App();
  buildCheckedKehu(app);
  app.synth();
}
