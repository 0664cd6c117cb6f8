import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../functions/http/observability.js';
import { bundleOptions } from '../bundling.js';

export interface KehuFunctionProps {
  /** The bounded context, e.g. `customers`: entry `functions/<context>/index.ts`. */
  context: string;
  stage: string;
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  removalPolicy: RemovalPolicy;
}

/**
 * One bundled function per bounded context: Node 24 on arm64, minified ESM with source
 * maps, X-Ray tracing, Powertools configured, its own log group with a retention.
 */
export class KehuFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: KehuFunctionProps) {
    super(scope, id);
    const functionName = `kehu-${props.stage}-${props.context}`;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.THREE_MONTHS,
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
        sourceMap: true,
        target: bundle.target,
        format: OutputFormat.ESM,
        mainFields: bundle.mainFields,
        banner: bundle.banner,
        // The AWS SDK is bundled, so the deployed code runs the versions locked here.
        externalModules: [],
        metafile: true,
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only X-Ray PutTraceSegments and PutTelemetryRecords, and SNS Publish of a text message to a phone number, none of which has a resource to name (a test checks no other action has Resource *).',
    });
  }
}
