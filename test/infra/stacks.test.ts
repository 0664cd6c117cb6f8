import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../../functions/routes.js';
import { roles } from '../../shared/platform/access/index.js';
import { tableDefinitions } from '../../shared/platform/store/tables.js';
import { synthesized } from './support.js';

/** The security properties of the deployment, asserted on the templates the run's one synth wrote. */
let t: Record<'data' | 'identity' | 'api' | 'events' | 'observability', Template>;
let outdir: string;

beforeAll(async () => {
  const synth = await synthesized();
  outdir = synth.outdir;
  const stack = (concern: string) => synth.templates[`Kehu-test-${concern}`]!;
  t = { data: stack('Data'), identity: stack('Identity'), api: stack('Api'), events: stack('Events'), observability: stack('Observability') };
}, 300_000);

const all = () => Object.values(t);
const downloadsBucketName = 'kehu-test-downloads-123456789012-eu-central-1';
const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type)) as Array<{ Properties: any }>;

describe('data stack', () => {
  it('rotates every customer-managed key, in every stack', () => {
    const keys = all().flatMap((template) => resourcesOf(template, 'AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThanOrEqual(3);
    // KMS rotates symmetric keys only; the audit HMAC key is checked below.
    for (const key of keys.filter((k) => k.Properties.KeySpec !== 'HMAC_256')) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('builds every table from the shared definitions, CMK-encrypted, with PITR and deletion protection', () => {
    const tables = resourcesOf(t.data, 'AWS::DynamoDB::Table');
    expect(tables).toHaveLength(tableDefinitions.length);
    for (const definition of tableDefinitions) {
      const table = tables.find((x) => x.Properties.TableName === `kehu-test-${definition.name}`);
      expect(table, definition.name).toBeDefined();
      const { Properties: p } = table!;
      expect(p.KeySchema[0]).toEqual({ AttributeName: definition.partitionKey.name, KeyType: 'HASH' });
      expect((p.GlobalSecondaryIndexes ?? []).map((i: { IndexName: string }) => i.IndexName)).toEqual(definition.indexes.map((i) => i.name));
      expect(p.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() });
      expect(p.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(p.DeletionProtectionEnabled).toBe(true);
    }
  });

  it('backs the data up daily for 35 days and the keys for a shorter window', () => {
    const plans = resourcesOf(t.data, 'AWS::Backup::BackupPlan').map((p) => p.Properties.BackupPlan);
    const days = Object.fromEntries(plans.map((p) => [p.BackupPlanName, p.BackupPlanRule[0].Lifecycle.DeleteAfterDays]));
    expect(days).toEqual({ 'kehu-test-data': 35, 'kehu-test-keys': 7 });
    for (const plan of plans) expect(plan.BackupPlanRule[0].ScheduleExpression).toMatch(/^cron\(0 3 \* \* \? \*\)$/);
    t.data.resourceCountIs('AWS::Backup::BackupSelection', 2);
    const selections = resourcesOf(t.data, 'AWS::Backup::BackupSelection').map((s) => s.Properties.BackupSelection);
    expect(selections.map((s) => s.Resources.length).sort()).toEqual([1, 2]); // data + audit; keys alone
    t.data.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: Match.anyValue() });
  });

  it('encrypts every log group with the storage key, which CloudWatch Logs may use for Kehu\'s log groups only', () => {
    const logGroups = all().flatMap((template) => resourcesOf(template, 'AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(13); // one per function, and the API's access logs
    for (const group of logGroups) expect(JSON.stringify(group.Properties.KmsKeyId ?? null), group.Properties.LogGroupName).toMatch(/StorageKey/);
    const [storageKey] = Object.entries(t.data.findResources('AWS::KMS::Key')).filter(([id]) => id.startsWith('StorageKey')).map(([, key]) => key);
    const forLogs = (storageKey!.Properties.KeyPolicy.Statement as Array<Record<string, any>>).filter((st) => st.Principal?.Service === 'logs.eu-central-1.amazonaws.com');
    expect(forLogs).toHaveLength(1);
    const arns = JSON.stringify(forLogs[0]!.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn']);
    expect(arns).toContain(':log-group:/aws/lambda/kehu-test-*');
    expect(arns).toContain(':log-group:/aws/http-api/kehu-test');
    for (const group of logGroups) {
      const name = group.Properties.LogGroupName as string;
      expect(name.startsWith('/aws/lambda/kehu-test-') || name === '/aws/http-api/kehu-test', name).toBe(true);
    }
  });
});

describe('downloads bucket', () => {
  const bucket = () => {
    // The other bucket holds audit checkpoints (see audit trail).
    const buckets = Object.entries(t.data.findResources('AWS::S3::Bucket')).filter(([, r]) => (r as { Properties: any }).Properties.BucketName === downloadsBucketName);
    expect(buckets).toHaveLength(1);
    const [logicalId, resource] = buckets[0]! as [string, { Properties: any; DeletionPolicy: string }];
    return { logicalId, resource, p: resource.Properties };
  };

  it('encrypts with the storage key (bucket keys on), blocks all public access, keeps no versions and is retained', () => {
    const { resource, p } = bucket();
    const storageKey = Object.keys(t.data.findResources('AWS::KMS::Key')).find((id) => id.startsWith('StorageKey'));
    expect(p.BucketName).toBe(downloadsBucketName);
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [storageKey, 'Arn'] } } },
    ]);
    expect(p.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(p.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    expect(p.VersioningConfiguration).toBeUndefined();
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('expires every object, and every incomplete upload, after a day', () => {
    const { p } = bucket();
    expect(p.LifecycleConfiguration.Rules).toEqual([
      expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 1, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
    ]);
    expect(p.LifecycleConfiguration.Rules[0].Prefix).toBeUndefined();
  });

  it('lets a browser that follows the 303 read with the link, and do nothing else', () => {
    const { p } = bucket();
    expect(p.CorsConfiguration).toEqual({ CorsRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'], MaxAge: 600 }] });
  });

  it('refuses every request without TLS, on the bucket and its objects', () => {
    const { logicalId } = bucket();
    const [policy] = resourcesOf(t.data, 'AWS::S3::BucketPolicy');
    expect(policy!.Properties.Bucket).toEqual({ Ref: logicalId });
    const arn = { 'Fn::GetAtt': [logicalId, 'Arn'] };
    expect(policy!.Properties.PolicyDocument.Statement).toContainEqual({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      Resource: [arn, { 'Fn::Join': ['', [arn, '/*']] }],
    });
  });
});

describe('identity stack', () => {
  it('requires MFA, a strong password and enforced threat protection', () => {
    t.identity.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: Match.objectLike({ MinimumLength: 14, RequireSymbols: true, RequireNumbers: true }) },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
    });
  });

  it('outputs what an operator needs to create users and configure clients', () => {
    expect(Object.keys(t.identity.findOutputs('*'))).toEqual(expect.arrayContaining(['UserPoolId', 'WebClientId']));
    expect(Object.keys(t.api.findOutputs('*'))).toContain('ApiUrl');
  });

  it('has one group per role and a public web client', () => {
    const groups = resourcesOf(t.identity, 'AWS::Cognito::UserPoolGroup').map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual([...roles].sort());
    t.identity.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH']),
      AllowedOAuthFlowsUserPoolClient: false,
    });
  });
});

describe('api stack', () => {
  it("ships the reference page's script beside the platform function's bundle", () => {
    const platform = resourcesOf(t.api, 'AWS::Lambda::Function').find((fn) => fn.Properties.FunctionName === 'kehu-test-platform');
    const assetHash = String(platform!.Properties.Code.S3Key).replace(/\.zip$/, '');
    const assetDir = join(outdir, `asset.${assetHash}`);
    expect(existsSync(join(assetDir, 'index.mjs')), assetDir).toBe(true);
    expect(existsSync(join(assetDir, 'redoc.standalone.js'))).toBe(true);
  });

  it('puts the JWT authorizer on every route but health, the OpenAPI document and its reference page', () => {
    const routes = resourcesOf(t.api, 'AWS::ApiGatewayV2::Route');
    expect(routes).toHaveLength(routeTable.length);
    for (const spec of routeTable) {
      const route = routes.find((r) => r.Properties.RouteKey === `${spec.method} ${spec.path}`);
      expect(route, `${spec.method} ${spec.path}`).toBeDefined();
      expect(route!.Properties.AuthorizationType).toBe(Array.isArray(spec.roles) ? 'JWT' : 'NONE');
    }
    expect(routeTable.filter((r) => r.roles === 'public').map((r) => r.path).sort()).toEqual([
      '/docs',
      '/docs/redoc.standalone.js',
      '/v1/health',
      '/v1/openapi.json',
      '/v1/self/session',
      '/v1/self/verification',
      '/v1/surveys/{id}/form',
      '/v1/surveys/{id}/responses',
    ]);
    for (const route of routeTable.filter((r) => r.roles === 'customer')) expect(route.path).toMatch(/^\/v1\/self\//);
    t.api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });

  it('logs access without query strings, throttles, and allows the configured origins', () => {
    const [stage] = resourcesOf(t.api, 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    expect(stage!.Properties.AccessLogSettings.Format).toContain('$context.routeKey');
    expect(stage!.Properties.AccessLogSettings.Format).not.toMatch(/querystring|\$context\.path/i);
    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    t.api.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://console.example.com'] }) });
  });
});

describe('functions', () => {
  const functions = () => [...resourcesOf(t.api, 'AWS::Lambda::Function'), ...resourcesOf(t.events, 'AWS::Lambda::Function')];

  it('run Node 22 or newer on arm64 with tracing and Powertools', () => {
    expect(functions().length).toBe(22);
    for (const fn of functions()) {
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment.Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'Kehu', POWERTOOLS_SERVICE_NAME: expect.any(String) });
    }
  });

  it('grant nothing on Resource * but X-Ray, no scans, no AWS managed policies', () => {
    for (const template of [t.api, t.events]) {
      for (const policy of resourcesOf(template, 'AWS::IAM::Policy')) {
        for (const statement of policy.Properties.PolicyDocument.Statement) {
          const actions = [statement.Action].flat() as string[];
          if (statement.Resource === '*') expect(actions.every((a) => a.startsWith('xray:') || a === 'sns:Publish'), actions.join()).toBe(true);
          expect(actions).not.toContain('dynamodb:Scan');
          expect(actions.some((a) => a.endsWith('*') && !a.startsWith('xray:')), actions.join()).toBe(false);
        }
      }
      for (const role of resourcesOf(template, 'AWS::IAM::Role')) {
        if (role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com') {
          expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        }
      }
    }
  });

  const variables = () =>
    Object.fromEntries(
      functions().map((fn) => [String(fn.Properties.FunctionName).replace('kehu-test-', ''), fn.Properties.Environment.Variables as Record<string, unknown>]),
    );

  it('name the downloads bucket to requests, self and exports only (any other fails at cold start)', () => {
    const vars = variables();
    expect(Object.keys(vars)).toHaveLength(22);
    const withBucket = Object.entries(vars).filter(([, v]) => 'DOWNLOADS_BUCKET' in v);
    expect(withBucket.map(([name]) => name).sort()).toEqual(['exports', 'requests', 'self']);
    for (const [, v] of withBucket) expect(v.DOWNLOADS_BUCKET).toBe(downloadsBucketName);
  });

  it('give the sender to the functions that notify only: codes, complaint notices and escalations, survey invitations, breach notices', () => {
    const withSender = Object.entries(variables()).filter(([, v]) => 'NOTIFY_FROM_ADDRESS' in v);
    expect(withSender.map(([name]) => name).sort()).toEqual(['complaint-escalations', 'complaints', 'incident-work', 'jobs', 'risk-flags', 'self', 'survey-dispatch']);
    for (const [, v] of withSender) expect(v.NOTIFY_FROM_ADDRESS).toBe('no-reply@example.com');
  });

  it('let requests, self and exports put and get objects under downloads/ only, with the storage key only through S3', () => {
    const objects = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${downloadsBucketName}/downloads/*`]] };
    const bucketArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${downloadsBucketName}`]] };
    const policies = [t.api, t.events].flatMap((template) => resourcesOf(template, 'AWS::IAM::Policy'));
    const onS3 = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes(downloadsBucketName));
    expect(onS3.map((p) => JSON.stringify(p.Properties.Roles)).map((r) => /"(\w+?)Role/.exec(r)?.[1]).sort()).toEqual(['Exports', 'Requests', 'Self']);
    for (const policy of onS3) {
      const statements = policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown; Condition?: any }>;
      const s3 = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
      expect(s3).toEqual([{ Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject'], Resource: objects }]);
      const viaS3 = statements.filter((s) => JSON.stringify(s.Condition ?? {}).includes('s3.eu-central-1.amazonaws.com'));
      expect(viaS3).toHaveLength(1);
      expect(viaS3[0]!.Action).toEqual(['kms:GenerateDataKey', 'kms:Decrypt']);
      expect(JSON.stringify(viaS3[0]!.Resource)).toContain('StorageKey');
      expect(viaS3[0]!.Condition).toEqual({
        StringEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com', 'kms:EncryptionContext:aws:s3:arn': bucketArn },
      });
    }
  });

  it('limit the application key to data keys with Kehu\'s encryption context', () => {
    const statements = resourcesOf(t.api, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement);
    const kms = statements.filter((s) => [s.Action].flat().includes('kms:GenerateDataKey'));
    const direct = kms.find((s) => s.Condition?.['ForAllValues:StringEquals']);
    expect(direct.Condition['ForAllValues:StringEquals']['kms:EncryptionContextKeys']).toEqual(['purpose', 'customerId']);
    expect([direct.Action].flat().sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    const viaDynamo = kms.find((s) => s.Condition.StringEquals?.['kms:ViaService']);
    expect(viaDynamo).toBeDefined();
    // The keys table may be read and written, never deleted from, by the API.
    const keysStatements = statements.filter((s) => JSON.stringify(s.Resource).includes('KeysTable'));
    expect(keysStatements.flatMap((s) => [s.Action].flat())).not.toContain('dynamodb:DeleteItem');
  });
});

describe('domain events', () => {
  it('let only consent, requests, retention, complaints, surveys and incidents put events in the API, and only on Kehu\'s bus', () => {
    const statements = resourcesOf(t.api, 'AWS::IAM::Policy').flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>).map((s) => ({ policy: p, ...s })),
    );
    const puts = statements.filter((s) => [s.Action].flat().includes('events:PutEvents'));
    // consent, requests, retention, complaints (a closing's survey invitation), surveys (dispatch
    // starts), incidents (scope and notification runs); complaint escalations are published by the jobs function.
    expect(puts).toHaveLength(6);
    for (const put of puts) expect(JSON.stringify(put.Resource)).toContain('Bus');
  });
});

describe('erasure', () => {
  it('routes approved erasures to a queue with a DLQ, and only its consumer may delete data keys', () => {
    t.events.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['kehu'], 'detail-type': ['ErasureApproved', 'RetentionExpired'] },
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() } })],
    });
    t.events.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const deleters = [t.api, t.events]
      .flatMap((template) => resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((p) =>
        (p.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown }>).some(
          (s) => s.Effect === 'Allow' && [s.Action].flat().includes('dynamodb:DeleteItem') && JSON.stringify(s.Resource).includes('KeysTable'),
        ),
      );
    expect(deleters).toHaveLength(1);
    expect(JSON.stringify(deleters[0]!.Properties.Roles)).toContain('ErasureConsumer');
  });
});

describe('audit trail', () => {
  it('keys the chains with an HMAC key that the functions may only GenerateMac with', () => {
    const [key] = resourcesOf(t.data, 'AWS::KMS::Key').filter((k) => k.Properties.KeySpec === 'HMAC_256');
    expect(key?.Properties).toMatchObject({ KeyUsage: 'GENERATE_VERIFY_MAC' });
    const statements = [t.api, t.events].flatMap((template) =>
      resourcesOf(template, 'AWS::IAM::Policy').flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Condition?: unknown }>),
    );
    const macs = statements.filter((st) => [st.Action].flat().includes('kms:GenerateMac'));
    // Every function that appends to or verifies the trail: the eight data contexts, retention, self, audit, erasure, jobs.
    expect(macs.length).toBeGreaterThanOrEqual(13);
    for (const st of macs) {
      expect([st.Action].flat()).toEqual(['kms:GenerateMac']);
      expect(st.Condition).toEqual({ StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } });
    }
  });

  it('keeps checkpoints in a versioned Object Lock bucket the functions can add to and read, never delete from', () => {
    const bucket = resourcesOf(t.data, 'AWS::S3::Bucket').find((b) => String(b.Properties.BucketName).startsWith('kehu-test-audit-checkpoints-'));
    expect(bucket?.Properties).toMatchObject({
      ObjectLockEnabled: true,
      VersioningConfiguration: { Status: 'Enabled' },
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
    const s3Actions = [t.api, t.events]
      .flatMap((template) => resourcesOf(template, 'AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .flatMap((st) => [st.Action].flat())
      .filter((a) => a.startsWith('s3:'));
    expect(s3Actions).toContain('s3:PutObject');
    expect(s3Actions.filter((a) => /Delete|Retention|LegalHold|PutBucket|PutObjectAcl|\*/.test(a))).toEqual([]);
    const names = (template: Template, bucketVariable: string) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .filter((f: any) => f.Properties.Environment?.Variables?.[bucketVariable])
        .map((f: any) => f.Properties.Environment.Variables.SERVICE_NAME ?? f.Properties.FunctionName);
    expect([...names(t.api, 'AUDIT_CHECKPOINT_BUCKET'), ...names(t.events, 'AUDIT_CHECKPOINT_BUCKET')]).toHaveLength(2);
  });

  it('adds a checkpoint every 15 minutes through the jobs queue', () => {
    const schedule = resourcesOf(t.events, 'AWS::Scheduler::Schedule').find((x) => x.Properties.Name === 'kehu-test-audit-checkpoint');
    expect(schedule?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    expect(JSON.parse(schedule!.Properties.Target.Input)).toEqual({ job: 'audit-checkpoint' });
  });

  it('may only be appended to and read: every function that touches it is denied updates and deletes', () => {
    const policies = resourcesOf(t.api, 'AWS::IAM::Policy');
    const touching = policies.filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('AuditTable'));
    expect(touching.length).toBe(15); // customers, interactions, consent, exports, sharing, requests, retention, self, complaints, reports, surveys, risk-flags, incidents, security (append), audit (read)
    for (const policy of touching) {
      const statements = policy.Properties.PolicyDocument.Statement as Array<{ Effect: string; Action: string | string[]; Resource: unknown }>;
      const onAudit = statements.filter((s) => JSON.stringify(s.Resource).includes('AuditTable'));
      const allowed = onAudit.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
      expect(allowed.every((a) => ['dynamodb:PutItem', 'dynamodb:Query'].includes(a)), allowed.join()).toBe(true);
      const denied = onAudit.filter((s) => s.Effect === 'Deny').flatMap((s) => [s.Action].flat());
      expect(denied).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']));
    }
  });
});

describe('events stack', () => {
  it('gives every queue a DLQ and enforces TLS on all of them', () => {
    const queues = resourcesOf(t.events, 'AWS::SQS::Queue');
    const work = queues.filter((q) => !String(q.Properties.QueueName).endsWith('-dlq'));
    expect(work.length).toBeGreaterThan(0);
    for (const queue of work) expect(queue.Properties.RedrivePolicy).toMatchObject({ maxReceiveCount: expect.any(Number) });
    const policies = resourcesOf(t.events, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(queues.length);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('has a bus, a daily schedule with a DLQ, and a consumer reporting partial batch failures', () => {
    t.events.resourceCountIs('AWS::Events::EventBus', 1);
    t.events.hasResourceProperties('AWS::Events::Archive', { EventPattern: { source: ['kehu'] }, RetentionDays: 365 });
    t.events.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(6 hours)',
      Target: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, Input: '{"job":"request-deadlines"}' }),
    });
    t.events.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Input: '{"job":"retention-sweep"}' }),
    });
    t.events.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: Match.stringLikeRegexp('^cron\\('),
      Target: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, Input: '{"job":"review-reminders"}' }),
    });
    t.events.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'] });
  });

  it('hands stalled erasures on again every 5 minutes, and lets the worker read the index of their requests and runs', () => {
    t.events.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, Input: '{"job":"resume-erasures"}' }),
    });
    const erasureRole = JSON.stringify(
      resourcesOf(t.events, 'AWS::IAM::Policy').filter((p) => JSON.stringify(p.Properties.Roles).includes('ErasureConsumer')),
    );
    expect(erasureRole).toContain('/index/gsi3');
  });
});

describe('observability stack', () => {
  it('alarms when no audit checkpoint succeeded for an hour, including when the job stopped running', () => {
    const [alarm] = resourcesOf(t.observability, 'AWS::CloudWatch::Alarm').filter((a) => a.Properties.AlarmName === 'kehu-test-AuditCheckpointStale');
    expect(alarm?.Properties).toMatchObject({
      MetricName: 'AuditCheckpointRuns',
      Period: 3600,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
      Dimensions: [{ Name: 'service', Value: 'jobs' }],
    });
  });

  it('raises the alarms operations need, to an encrypted topic that mails the configured address', () => {
    const names = resourcesOf(t.observability, 'AWS::CloudWatch::Alarm').map((a) => a.Properties.AlarmName as string);
    for (const expected of ['SurveysErrors', 'RiskFlagsErrors', 'SurveyDispatchErrors', 'SurveyInvitationsFailed', 'RiskFlagsUnhandled', 'DeadLetters4', 'ComplaintsErrors', 'ReportsErrors', 'ComplaintEscalationsErrors', 'ComplaintsOverdue', 'ComplaintEscalations', 'DeadLetters3', 'SelfErrors', 'RetentionErrors', 'ErasureErrors', 'DeadLetters2', 'RequestsDueSoon', 'RequestsOverdue', 'RequestsErrors', 'AuditErrors', 'InteractionsErrors', 'ConsentErrors', 'ExportsErrors', 'SharingErrors', 'Api5xxRate', 'ApiLatencyP99', 'CustomersErrors', 'CustomersThrottles', 'PlatformErrors', 'JobsErrors', 'JobsThrottles', 'DeadLetters1', 'KmsErrors', 'StoreErrors', 'DownloadStoreErrors', 'NotifierErrors', 'IntegrityFailures']) {
      expect(names).toContain(`kehu-test-${expected}`);
    }
    for (const alarm of resourcesOf(t.observability, 'AWS::CloudWatch::Alarm')) {
      expect(alarm.Properties.AlarmActions).toHaveLength(1);
      expect(JSON.stringify(alarm.Properties.AlarmDescription)).toContain('docs/operations.md#');
    }
    t.observability.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.observability.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    t.observability.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('alarms on an erasure still unfinished an hour after it started, as the resume job counts them', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-ErasuresStuck',
      Namespace: 'Kehu',
      MetricName: 'ErasuresStuck',
      Dimensions: [{ Name: 'service', Value: 'jobs' }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms on the first download that could not be offered, counted by every function under service kehu', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-DownloadStoreErrors',
      Namespace: 'Kehu',
      MetricName: 'DownloadStoreErrors',
      Dimensions: [{ Name: 'service', Value: 'kehu' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on the first stored record that fails its integrity check, counted by every function under service kehu', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-IntegrityFailures',
      Namespace: 'Kehu',
      MetricName: 'IntegrityFailures',
      Dimensions: [{ Name: 'service', Value: 'kehu' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when one-time codes keep failing to go out', () => {
    t.observability.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kehu-test-NotifierErrors',
      MetricName: 'NotifierErrors',
      Dimensions: [{ Name: 'service', Value: 'kehu' }],
      Threshold: 3,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('documents every alarm in docs/operations.md under a heading its description links to', () => {
    const headings = new Set(
      readFileSync('docs/operations.md', 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('## '))
        .map((line) => line.slice(3).trim().toLowerCase()),
    );
    for (const alarm of resourcesOf(t.observability, 'AWS::CloudWatch::Alarm')) {
      const id = String(alarm.Properties.AlarmName).replace('kehu-test-', '').toLowerCase();
      expect(headings.has(id), `docs/operations.md lacks "## ${id}"`).toBe(true);
    }
  });
});
