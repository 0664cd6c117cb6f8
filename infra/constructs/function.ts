import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/http/observability.js';
import { aliasArgs, bundleAssets, bundleOptions } from '../bundling.js';

export interface KehuFunctionProps {
  /** The bounded context, e.g. `customers`: entry `functions/<context>/index.ts`. */
  context: string;
  stage: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  removalPolicy: RemovalPolicy;
  /** Encrypts the log group: the storage key, whose policy lets CloudWatch Logs use it for Kehu's log groups only. */
  logsKey: kms.IKey;
  /** Reserved concurrent executions (`kehu:reservedConcurrency`); none reserved when unset. */
  reservedConcurrency?: number | undefined;
  /** What invokes the function: API Gateway, synchronously, or an SQS or DynamoDB stream event source mapping. */
  invokedBy: 'http-api' | 'queue' | 'stream';
}

/** Why each NIST 800-53 rule a function does not follow does not apply, by how it is invoked. */
const notApplicable = {
  dlq: {
    'http-api':
      'API Gateway invokes it synchronously and answers the caller with the error; a function dead-letter queue only receives failed asynchronous invocations, of which there are none.',
    queue:
      'Invoked only by its SQS event source mapping, never asynchronously: a failed message returns to its queue and, after its retries, lands in that queue\'s own dead-letter queue, which alarms.',
    stream:
      'Invoked only by its DynamoDB stream event source mapping, never asynchronously: a failing batch is split and retried, then described in the mapping\'s on-failure queue (encrypted, with an alarm on its first message).',
  },
  concurrency: {
    'http-api':
      'Reserved concurrency is a deployment setting (kehu:reservedConcurrency, per function), unset by default: a reservation is taken from the account pool, which must keep 100 unreserved, and the API stage throttle (kehu:throttleRate, kehu:throttleBurst) already bounds invocations.',
    queue:
      'Reserved concurrency is a deployment setting (kehu:reservedConcurrency, per function, at least 5 for a queue consumer), unset by default: a reservation is taken from the account pool, which must keep 100 unreserved, and a small one makes the SQS pollers throttle messages into the DLQ.',
    stream:
      'Reserved concurrency is a deployment setting (kehu:reservedConcurrency, per function), unset by default: a stream mapping already runs at most one batch per shard at a time, and a reservation is taken from the account pool, which must keep 100 unreserved.',
  },
} as const;

/**
 * One bundled function per bounded context: Node 24 on arm64, minified ESM with source
 * maps, X-Ray tracing, Powertools configured, its own encrypted log group with a
 * retention, reserved concurrency when the deployment sets it.
 */
export class KehuFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: KehuFunctionProps) {
    super(scope, id);
    const functionName = `kehu-${props.stage}-${props.context}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
      encryptionKey: props.logsKey,
      removalPolicy: props.removalPolicy,
    });
    // Its own role, without AWS managed policies: logs only to its own log group.
    const role = new iam.Role(this, 'Role', {
      roleName: functionName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Kehu ${props.context} function`,
    });
    logGroup.grantWrite(role);
    const bundle = bundleOptions(props.context);
    this.function = new NodejsFunction(this, 'Function', {
      functionName,
      entry: bundle.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrency ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.context,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...props.environment,
      },
      bundling: {
        minify: true,
        sourceMap: bundle.sourceMap,
        sourcesContent: bundle.sourcesContent,
        target: bundle.target,
        format: OutputFormat.ESM,
        mainFields: bundle.mainFields,
        banner: bundle.banner,
        esbuildArgs: { '--alias': aliasArgs(bundle.alias) },
        // The AWS SDK is bundled, so the deployed code runs the versions locked here.
        externalModules: [],
        metafile: true,
        // The files the function serves as they are, beside its bundle (inputDir is the repository).
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => (bundleAssets[props.context] ?? []).map((file) => `cp "${inputDir}/${file}" "${outputDir}/"`),
        },
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray PutTraceSegments and PutTelemetryRecords, and SNS Publish of a text message to a phone number, none of which has a resource to name (a test checks no other action has Resource *).',
    });
    Validations.of(role).acknowledge({
      id: 'NIST.800.53.R5-IAMNoInlinePolicy',
      reason:
        'The inline policy is this function\'s own least-privilege grants on a role only this function assumes; a managed policy could be attached to other principals and would be shared by nothing.',
    });
    Validations.of(this.function).acknowledge({ id: 'NIST.800.53.R5-LambdaDLQ', reason: notApplicable.dlq[props.invokedBy] });
    Validations.of(this.function).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason:
        'It reaches no VPC resource: only AWS service APIs (DynamoDB, KMS, EventBridge, S3, SES, SNS) over TLS, authorized by IAM per request; a VPC would add NAT or endpoints, not protection.',
    });
    if (!props.reservedConcurrency) Validations.of(this.function).acknowledge({ id: 'NIST.800.53.R5-LambdaConcurrency', reason: notApplicable.concurrency[props.invokedBy] });
  }
}
