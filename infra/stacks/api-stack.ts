import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { routeTable } from '../../functions/routes.js';
import type { DeploymentConfig } from '../config.js';
import { KehuFunction } from '../constructs/function.js';
import { grantAudit, grantAuditCheckpoints, grantCustomerData, grantDownloads, grantNotifier, grantRetention, type DataAccess } from '../constructs/grants.js';
import { riskFlagsAccess, surveysAccess } from '../constructs/survey-grants.js';
import { grantIncidents, grantSecurityFindings, incidentEnvironment } from '../constructs/incident-grants.js';

export interface ApiStackProps extends StackProps {
  config: DeploymentConfig;
  tablePrefix: string;
  dataTable: dynamodb.ITable;
  keysTable: dynamodb.ITable;
  auditTable: dynamodb.ITable;
  /** Where documents too large for an answer wait for their requester (requests, self, exports). */
  downloadsBucketName: string;
  bus: events.IEventBus;
  storageKey: kms.IKey;
  applicationKey: kms.IKey;
  /** The HMAC key the audit trail's key is derived from. */
  auditKey: kms.IKey;
  /** Audit checkpoints under Object Lock: the audit function compares the chain heads with the latest. */
  auditCheckpointBucketName: string;
  userPool: cognito.IUserPool;
  webClient: cognito.IUserPoolClient;
}

/** What each context's function may do to the tables and the application key: the least its routes need. */
const customersAccess: DataAccess = {
  data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
  keys: ['GetItem', 'PutItem', 'ConditionCheckItem'],
  kms: ['kms:GenerateDataKey', 'kms:Decrypt'],
};
/** Consent records decisions and purposes; it opens keys only to seal evidence. */
const consentAccess: DataAccess = {
  data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'ConditionCheckItem'],
  keys: ['GetItem'],
  kms: ['kms:Decrypt'],
};
/** Exports read consents and profiles and open the fields a purpose may use. */
const exportsAccess: DataAccess = { data: ['GetItem', 'BatchGetItem', 'Query'], keys: ['GetItem'], kms: ['kms:Decrypt'] };
/** Sharing records partners and shares, and opens the shared fields. */
const sharingAccess: DataAccess = { data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem'], keys: ['GetItem'], kms: ['kms:Decrypt'] };
/** Interactions add records under an existing customer and use that customer's key. */
const interactionsAccess: DataAccess = { data: ['GetItem', 'Query', 'PutItem'], keys: ['GetItem'], kms: ['kms:Decrypt'] };
/**
 * Complaints are written in transactions (complaint, pointer, history, counters, report
 * aggregates added to with UpdateItem; IAM checks each item of a TransactWriteItems by its
 * own action) under the existing customer's key, which they only unwrap: a complaint never
 * creates a customer or a key. Listings read every index (gsi1 all, gsi2 due, gsi3 by
 * department, gsi4 overdue).
 */
const complaintsAccess: DataAccess = {
  data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
  keys: ['GetItem'],
  kms: ['kms:Decrypt'],
};
/** Reports read the aggregates (numbers only) and record improvement actions: no key, no personal field. */
const reportsAccess: DataAccess = { data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'ConditionCheckItem'], keys: [], kms: [] };

/**
 * The HTTP API: one bundled function per bounded context, every route of the route
 * table behind Cognito's JWT authorizer except health and the OpenAPI document, access
 * logs without query strings (they may hold an email), throttling, CORS from config.
 */
export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly functions: Record<string, NodejsFunction>;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const corsOrigins = config.corsOrigins.join(',');

    const platform = new KehuFunction(this, 'Platform', {
      context: 'platform',
      stage: config.stage,
      environment: { CORS_ORIGINS: corsOrigins },
      memorySize: 256,
      removalPolicy,
      logsKey: props.storageKey,
      reservedConcurrency: config.reservedConcurrency.platform,
      invokedBy: 'http-api',
    }).function;
    /** A function of a context that works on customer data: tables by prefix, data keys from KMS. */
    const dataFunction = (id: string, context: string, options: { timeout?: Duration; memorySize?: number; environment?: Record<string, string> } = {}) =>
      new KehuFunction(this, id, {
        context,
        stage: config.stage,
        logsKey: props.storageKey,
        reservedConcurrency: config.reservedConcurrency[context],
        invokedBy: 'http-api',
        ...options,
        environment: {
          TABLE_PREFIX: props.tablePrefix,
          KEY_PROVIDER: 'kms',
          KMS_KEY_ID: props.applicationKey.keyArn,
          CORS_ORIGINS: corsOrigins,
          ...options.environment,
        },
        removalPolicy,
      }).function;
    const customers = dataFunction('Customers', 'customers');
    const interactions = dataFunction('Interactions', 'interactions');
    const consent = dataFunction('Consent', 'consent', { environment: { EVENT_BUS_NAME: props.bus.eventBusName } });
    // Only the functions built with the S3 adapter may have the bucket: any other fails at cold start.
    const downloadsBucket = s3.Bucket.fromBucketName(this, 'Downloads', props.downloadsBucketName);
    const downloads = { DOWNLOADS_BUCKET: downloadsBucket.bucketName };
    const exportsFn = dataFunction('Exports', 'exports', { timeout: Duration.seconds(29), memorySize: 1536, environment: downloads });
    const sharing = dataFunction('Sharing', 'sharing');
    const requests = dataFunction('Requests', 'requests', {
      timeout: Duration.seconds(29),
      memorySize: 1536,
      environment: { EVENT_BUS_NAME: props.bus.eventBusName, ...downloads },
    });
    const audit = dataFunction('Audit', 'audit', { timeout: Duration.seconds(29) });
    const retention = dataFunction('Retention', 'retention', {
      timeout: Duration.seconds(29),
      environment: { EVENT_BUS_NAME: props.bus.eventBusName },
    });
    grantRetention(retention, props);
    const self = dataFunction('Self', 'self', { environment: downloads });
    // Codes and challenges in the data table, the customer's own data as the requests function
    // reads it, and a customer's own complaints (their reference counter and report aggregates
    // are added to with UpdateItem).
    grantCustomerData(self, props, { data: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'], keys: ['GetItem'], kms: ['kms:Decrypt'] });
    grantAudit(self, props, 'append');
    self.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.auditTable.tableArn}/index/gsi1`] }));
    // CMP-1 to CMP-4: complaints acknowledge intake and resolution to the customer (mail, else
    // a text message); reports and improvement actions. Escalations are raised, and
    // published, by the deadline job in the events stack.
    // A complaint's closing may invite its customer to a survey (SAT-1): the invitation is
    // delivered through the bus and the survey-dispatch queue.
    const complaints = dataFunction('Complaints', 'complaints', { environment: { EVENT_BUS_NAME: props.bus.eventBusName } });
    const reports = dataFunction('Reports', 'reports');
    grantCustomerData(complaints, props, complaintsAccess);
    grantCustomerData(reports, props, reportsAccess);
    // SAT-1 to SAT-3: surveys start dispatches on the bus (the events stack's consumer pages
    // and sends); risk flags are worked and may open a complaint, acknowledged to the customer.
    const surveys = dataFunction('Surveys', 'surveys', { environment: { EVENT_BUS_NAME: props.bus.eventBusName } });
    const riskFlags = dataFunction('RiskFlags', 'risk-flags');
    grantCustomerData(surveys, props, surveysAccess);
    grantCustomerData(riskFlags, props, riskFlagsAccess);
    // Without a sender no code or notice is sent (the notices stay pending and are counted).
    if (config.notifyFromAddress) for (const fn of [self, complaints, riskFlags]) grantNotifier(fn, config.notifyFromAddress, { sms: true });
    props.bus.grantPutEventsTo(consent);
    props.bus.grantPutEventsTo(requests);
    props.bus.grantPutEventsTo(complaints);
    props.bus.grantPutEventsTo(surveys);
    // BR-1 to BR-4: incidents, their scope and notification runs (started here, worked by the
    // incident-work queue in the events stack), deadlines, reports and submissions. SEC-6: the
    // findings of the unusual-access detector (raised by the audit-stream consumer).
    const incidents = dataFunction('Incidents', 'incidents', { environment: { EVENT_BUS_NAME: props.bus.eventBusName, ...incidentEnvironment(config) } });
    const security = dataFunction('Security', 'security');
    grantIncidents(incidents, { ...props, bus: props.bus });
    grantSecurityFindings(security, props);
    this.functions = {
      platform,
      customers,
      interactions,
      consent,
      exports: exportsFn,
      sharing,
      requests,
      retention,
      self,
      audit,
      complaints,
      reports,
      surveys,
      'risk-flags': riskFlags,
      incidents,
      security,
    };
    grantCustomerData(customers, props, customersAccess);
    grantCustomerData(interactions, props, interactionsAccess);
    grantCustomerData(consent, props, consentAccess);
    grantCustomerData(exportsFn, props, exportsAccess);
    grantCustomerData(sharing, props, sharingAccess);
    // Requests apply restrictions to the record, as customers do, and read all of it for an export.
    grantCustomerData(requests, props, customersAccess);
    for (const fn of [customers, interactions, consent, exportsFn, sharing, requests, complaints, reports, surveys, riskFlags]) grantAudit(fn, props, 'append');
    for (const fn of [requests, self, exportsFn]) grantDownloads(fn, downloadsBucket, props.storageKey);
    // An access export includes who accessed the customer's data: the trail by target.
    requests.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${props.auditTable.tableArn}/index/gsi1`] }));
    grantAudit(audit, props, 'read');
    grantAuditCheckpoints(audit, s3.Bucket.fromBucketName(this, 'AuditCheckpoints', props.auditCheckpointBucketName), props.storageKey, 'read');
    // Verification recomputes interactions' content hashes: it reads them, never their keys.
    audit.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.dataTable.tableArn] }));

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `kehu-${config.stage}`,
      createDefaultStage: false,
      ...(config.corsOrigins.length
        ? {
            corsPreflight: {
              allowOrigins: config.corsOrigins,
              allowMethods: [
                apigwv2.CorsHttpMethod.GET,
                apigwv2.CorsHttpMethod.POST,
                apigwv2.CorsHttpMethod.PUT,
                apigwv2.CorsHttpMethod.PATCH,
                apigwv2.CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key', 'survey-token'],
              exposeHeaders: ['etag', 'location', 'idempotent-replayed'],
              maxAge: Duration.minutes(10),
            },
          }
        : {}),
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/http-api/kehu-${config.stage}`,
      retention: logs.RetentionDays.ONE_YEAR,
      encryptionKey: props.storageKey,
      removalPolicy,
    });
    new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        // The route key, never the raw path's query string: lookups put emails there.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            responseLength: '$context.responseLength',
            sourceIp: '$context.identity.sourceIp',
            user: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the Kehu API' });

    const authorizer = new HttpJwtAuthorizer(
      'Cognito',
      `https://cognito-idp.${this.region}.amazonaws.com/${props.userPool.userPoolId}`,
      { jwtAudience: [props.webClient.userPoolClientId], authorizerName: 'cognito-staff' },
    );
    const integrations = new Map(
      Object.entries(this.functions).map(([context, fn]) => [context, new HttpLambdaIntegration(`${context}-integration`, fn)]),
    );
    for (const route of routeTable) {
      const integration = integrations.get(route.context);
      if (!integration) throw new Error(`No function serves context ${route.context} (${route.method} ${route.path})`);
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration,
        ...(Array.isArray(route.roles) ? { authorizer } : {}),
      });
      if (!Array.isArray(route.roles) && added) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.roles === 'public' && route.path.startsWith('/v1/surveys/')
              ? `${route.method} ${route.path} answers the holder of a survey link: the signed, expiring, single-use token in the request is verified by the function and reaches one invitation only; staff sign-in does not apply.`
              : route.roles === 'public'
              ? `${route.method} ${route.path} is public by design (liveness, the OpenAPI document and its reference page, or the start of a customer's sign-in) and returns no customer data.`
              : `${route.method} ${route.path} serves a customer with their own short-lived token, which the function verifies; Cognito's authorizer is for staff.`,
        });
      }
    }
  }
}
