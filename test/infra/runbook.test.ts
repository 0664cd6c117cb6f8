import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { synthesized } from './support.js';

/**
 * docs/operations.md kept in step with the stacks: a section for every alarm, every
 * named resource in the overview, and a restore switch that re-points every function that
 * uses the tables (run against a stand-in for the AWS CLI that serves the synthesized
 * functions and role policies).
 */
const runbook = readFileSync('docs/operations.md', 'utf8');

/** `## Title` sections of a markdown document, by title. */
function sections(markdown: string): Map<string, string> {
  return new Map(
    markdown
      .split(/^(?=## )/m)
      .slice(1)
      .map((part) => [part.slice(3, part.indexOf('\n')).trim(), part] as const),
  );
}
/** The anchor GitHub gives a heading. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
/** Names as the runbook writes them: any stage, account and region. */
const generic = (name: string) =>
  name.replaceAll('kehu-test', 'kehu-<stage>').replaceAll('Kehu-test-', 'Kehu-<stage>-').replaceAll('123456789012', '<account>').replaceAll('eu-central-1', '<region>');

let templates: Template[];
let stackNames: string[];
let functions: Array<{ name: string; constructId: string }>;

beforeAll(async () => {
  const synth = await synthesized();
  templates = Object.values(synth.templates);
  stackNames = synth.stackNames;
  // A function's resource sits at <stack>/<construct id>/Function/Resource (constructs/function.ts).
  functions = Object.values(synth.json)
    .flatMap((template) => Object.values(template.Resources))
    .filter((resource) => resource.Type === 'AWS::Lambda::Function' && String(resource.Metadata?.['aws:cdk:path']).endsWith('/Function/Resource'))
    .map((resource) => ({ name: String(resource.Properties.FunctionName), constructId: String(resource.Metadata!['aws:cdk:path']).split('/').at(-3)! }));
}, 300_000);

const resources = (type: string) => templates.flatMap((t) => Object.entries(t.findResources(type)) as Array<[string, { Properties: any }]>);

describe('docs/operations.md, alarm by alarm', () => {
  const headings = [...sections(runbook).keys()];

  it('has a `## <AlarmId>` section for every alarm of the stacks, where its description links', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => ({
      id: String(a.Properties.AlarmName).replace(/^kehu-test-/, ''),
      link: /operations\.md#([\w-]+)/.exec(JSON.stringify(a.Properties.AlarmDescription))?.[1],
    }));
    expect(alarms.length).toBeGreaterThan(20);
    expect(alarms.filter((a) => !headings.includes(a.id)).map((a) => a.id), 'alarms without a runbook section').toEqual([]);
    for (const alarm of alarms) expect(alarm.link, alarm.id).toBe(anchorOf(alarm.id));
  });

  it('has no section for an alarm the stacks no longer raise', () => {
    const alarmIds = new Set(resources('AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmName).replace(/^kehu-test-/, '')));
    const alarmLike = headings.filter((h) => /^[A-Z][A-Za-z0-9]+$/.test(h) && h !== 'Overview');
    expect(alarmLike.filter((h) => !alarmIds.has(h))).toEqual([]);
  });

  it('links only to sections it has', () => {
    const anchors = new Set(headings.concat([...runbook.matchAll(/^###+ (.+)$/gm)].map((m) => m[1]!)).map(anchorOf));
    const links = [...runbook.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(20);
    expect([...new Set(links.filter((link) => !anchors.has(link)))]).toEqual([]);
  });
});

describe('docs/operations.md, overview', () => {
  const overview = () => sections(runbook).get('Overview') ?? '';

  it('names every function, with its construct id on the same row', () => {
    expect(functions.length).toBeGreaterThanOrEqual(12);
    // The table whose first column is `function`.
    const lines = overview().split('\n');
    const start = lines.findIndex((line) => /^\| function \|/.test(line));
    expect(start, 'a functions table').toBeGreaterThan(-1);
    const end = lines.findIndex((line, i) => i > start && !line.startsWith('|'));
    const rows = lines.slice(start + 2, end);
    for (const fn of functions) {
      const row = rows.find((line) => line.startsWith(`| \`${generic(fn.name)}\` |`));
      expect(row, `${fn.name} in the functions table`).toBeDefined();
      expect(row, `${fn.name}'s construct id`).toContain(`\`${fn.constructId}\``);
    }
  });

  it('names every stack, schedule, queue, dead-letter queue, rule, table, key, bucket, log group and the rest', () => {
    const named: Array<[type: string, name: (p: any) => unknown]> = [
      ['AWS::Scheduler::Schedule', (p) => p.Name],
      ['AWS::SQS::Queue', (p) => p.QueueName],
      ['AWS::Events::Rule', (p) => p.Name],
      ['AWS::Events::EventBus', (p) => p.Name],
      ['AWS::Events::Archive', (p) => p.ArchiveName],
      ['AWS::DynamoDB::Table', (p) => p.TableName],
      ['AWS::S3::Bucket', (p) => p.BucketName],
      ['AWS::KMS::Alias', (p) => p.AliasName],
      ['AWS::Backup::BackupVault', (p) => p.BackupVaultName],
      ['AWS::Backup::BackupPlan', (p) => p.BackupPlan.BackupPlanName],
      ['AWS::SNS::Topic', (p) => p.TopicName],
      ['AWS::CloudWatch::Dashboard', (p) => p.DashboardName],
      ['AWS::Cognito::UserPool', (p) => p.UserPoolName],
      ['AWS::Cognito::UserPoolClient', (p) => p.ClientName],
      ['AWS::ApiGatewayV2::Api', (p) => p.Name],
      // Function log groups follow one pattern, which the overview gives.
      ['AWS::Logs::LogGroup', (p) => (String(p.LogGroupName).startsWith('/aws/lambda/') ? undefined : p.LogGroupName)],
    ];
    const names = [
      ...stackNames,
      ...named.flatMap(([type, name]) => resources(type).map(([, r]) => name(r.Properties))),
    ].filter((n): n is string => typeof n === 'string');
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((n) => n.startsWith('/aws/lambda/'))).toEqual([]);
    const missing = [...new Set(names.map(generic))].filter((name) => !overview().includes(`\`${name}\``));
    expect(missing, 'named in the stacks, missing from the overview').toEqual([]);
    expect(overview()).toContain('`/aws/lambda/kehu-<stage>-<name>`');
  });
});

describe('docs/operations.md, restore option B', () => {
  const ACCOUNT_TABLES = 'arn:aws:dynamodb:eu-central-1:123456789012:table/';

  /** The functions and role policies as the AWS CLI would show them once deployed. */
  function deployedState() {
    const tables = new Map(resources('AWS::DynamoDB::Table').map(([id, t]) => [id, String(t.Properties.TableName)]));
    // References to a table (GetAtt in its stack, an import elsewhere) become its ARN.
    const arn = (value: unknown): string => {
      if (typeof value === 'string') return value;
      const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(arn).join(join[0]);
      const text = JSON.stringify(value);
      const table = [...tables].find(([id]) => text.includes(id));
      return table ? `${ACCOUNT_TABLES}${table[1]}` : `arn:other:${text.replace(/\W/g, '')}`;
    };
    const roleNames = new Map(resources('AWS::IAM::Role').map(([id, r]) => [id, String(r.Properties.RoleName)]));
    const policies: Record<string, Record<string, { Statement: Array<{ Effect: string; Action: string | string[]; Resource: string | string[] }> }>> = {};
    for (const [id, policy] of resources('AWS::IAM::Policy')) {
      for (const role of policy.Properties.Roles as Array<{ Ref: string }>) {
        const name = roleNames.get(role.Ref);
        if (!name) continue;
        const statements = [policy.Properties.PolicyDocument.Statement].flat().map((s: any) => ({
          Effect: s.Effect,
          Action: s.Action,
          Resource: Array.isArray(s.Resource) ? s.Resource.map(arn) : arn(s.Resource),
        }));
        (policies[name] ??= {})[String(policy.Properties.PolicyName ?? id)] = { Statement: statements };
      }
    }
    const lambdas = Object.fromEntries(
      resources('AWS::Lambda::Function').map(([, f]) => {
        const variables = Object.fromEntries(Object.entries(f.Properties.Environment?.Variables ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
        return [String(f.Properties.FunctionName), { Variables: variables }];
      }),
    );
    return { functions: lambdas, policies };
  }

  /** Just enough of the AWS CLI for the switch: reads and writes a state file. */
  const fakeAws = `#!/usr/bin/env node
const fs = require('fs');
const a = process.argv.slice(2), file = process.env.FAKE_AWS_STATE;
const st = JSON.parse(fs.readFileSync(file, 'utf8'));
const arg = (n) => a[a.indexOf(n) + 1];
const save = () => fs.writeFileSync(file, JSON.stringify(st));
const readFile = (uri) => JSON.parse(fs.readFileSync(uri.replace(/^file:\\/\\//, ''), 'utf8'));
switch (a[0] + ' ' + a[1]) {
  case 'lambda list-functions': {
    const prefix = /TABLE_PREFIX == '([^']+)'/.exec(arg('--query'))[1];
    console.log(Object.entries(st.functions).filter(([, f]) => f.Variables.TABLE_PREFIX === prefix).map(([n]) => n).join('\\t'));
    break;
  }
  case 'iam list-role-policies':
    console.log(Object.keys(st.policies[arg('--role-name')] ?? {}).filter((p) => p !== 'restored-tables').join('\\t'));
    break;
  case 'iam get-role-policy':
    console.log(JSON.stringify(st.policies[arg('--role-name')][arg('--policy-name')].Statement, null, 2));
    break;
  case 'iam put-role-policy':
    st.policies[arg('--role-name')][arg('--policy-name')] = readFile(arg('--policy-document'));
    save();
    break;
  case 'lambda get-function-configuration':
    console.log(JSON.stringify({ Variables: st.functions[arg('--function-name')].Variables }, null, 2));
    break;
  case 'lambda update-function-configuration':
    st.functions[arg('--function-name')] = readFile(arg('--environment'));
    save();
    console.log(arg('--function-name') + '\\tSuccessful');
    break;
  default:
    console.error('not simulated: ' + a.join(' '));
    process.exit(1);
}
`;

  const switchFunction = () => {
    const block = /^switch_tables\(\) \{[\s\S]*?^\}$/m.exec(runbook)?.[0];
    expect(block, 'option B gives one shell function, switch_tables, for all functions').toBeDefined();
    return block!;
  };

  async function runSwitch(state: ReturnType<typeof deployedState>, from: string, to: string) {
    const dir = mkdtempSync(join(tmpdir(), 'kehu-runbook-'));
    const bin = join(dir, 'bin');
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    await promisify(execFile)('mkdir', [bin]);
    writeFileSync(join(bin, 'aws'), fakeAws);
    writeFileSync(join(bin, 'sleep'), '#!/bin/sh\n');
    chmodSync(join(bin, 'aws'), 0o755);
    chmodSync(join(bin, 'sleep'), 0o755);
    const script = `${switchFunction()}\nswitch_tables "$1" "$2"\n`;
    await promisify(execFile)('bash', ['-euc', script, 'switch', from, to], {
      env: { PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, FAKE_AWS_STATE: join(dir, 'state.json'), TMPDIR: dir },
    });
    return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as ReturnType<typeof deployedState>;
  }

  const tablePairs = (statements: Array<{ Effect: string; Action: string | string[]; Resource: string | string[] }>, prefix: string) =>
    statements.flatMap((s) =>
      [s.Resource].flat().filter((r) => r.startsWith(`${ACCOUNT_TABLES}${prefix}-`)).flatMap((r) =>
        [s.Action].flat().map((action) => `${s.Effect} ${action} ${r.slice(ACCOUNT_TABLES.length + prefix.length + 1)}`),
      ),
    );

  it('re-points every function that uses the tables, with the same table permissions, and back', async () => {
    const deployed = deployedState();
    const users = Object.keys(deployed.functions).filter((name) => deployed.functions[name]!.Variables.TABLE_PREFIX === 'kehu-test');
    expect(users.length).toBeGreaterThanOrEqual(11);

    const switched = await runSwitch(deployed, 'kehu-test', 'kehu-test-restored');
    for (const [name, fn] of Object.entries(deployed.functions)) {
      const expected = users.includes(name) ? { ...fn.Variables, TABLE_PREFIX: 'kehu-test-restored' } : fn.Variables;
      expect(switched.functions[name]!.Variables, name).toEqual(expected);
    }
    for (const name of users) {
      const original = Object.values(deployed.policies[name]!).flatMap((p) => p.Statement);
      const copy = switched.policies[name]!['restored-tables'];
      expect(copy, `${name}: inline policy for the restored tables`).toBeDefined();
      expect(tablePairs(copy!.Statement, 'kehu-test-restored').sort(), name).toEqual(tablePairs(original, 'kehu-test').sort());
    }

    const back = await runSwitch(switched, 'kehu-test-restored', 'kehu-test');
    for (const [name, fn] of Object.entries(deployed.functions)) expect(back.functions[name]!.Variables, name).toEqual(fn.Variables);
  }, 240_000); // some 150 CLI calls, each a node process: slow on a busy machine

  it('tells the operator how many functions the switch must name', () => {
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty', 'twenty-one', 'twenty-two', 'twenty-three', 'twenty-four', 'twenty-five'];
    const claimed = /It must name ([\w-]+) functions/.exec(runbook)?.[1];
    expect(claimed).toBeDefined();
    const count = resources('AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.TABLE_PREFIX === 'kehu-test').length;
    expect(words.indexOf(claimed!)).toBe(count);
  });
});
