import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../shared/platform/access/index.js';
import { startLocalApp, type LocalApp, type LocalAppOptions } from '../../local/app.js';
import { signToken } from '../../local/tokens.js';
import type { DataKeyRing } from '../../shared/platform/crypto/index.js';
import { createContainer } from '../../shared/runtime/index.js';
import { existingTables, freshTables } from './dynamo.js';
import { createAnswerValidator, type ReceivedAnswer } from './openapi-validator.js';

export interface TestApi extends LocalApp {
  prefix: string;
  client: Awaited<ReturnType<typeof freshTables>>['client'];
  dataDir: string;
  token(role: Role, sub?: string): Promise<string>;
  /** The data keys as a newly started function sees them (no cached key). */
  coldKeys(): DataKeyRing;
  /** Tampers with one stored audit entry, as someone with table access could: its purpose rewritten. */
  rewriteAuditPurpose(entry: { chain: number; seq: number }): Promise<void>;
  call(method: string, path: string, init?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{
    status: number;
    headers: Headers;
    body: any;
  }>;
}

/**
 * The local runtime on a free port, on fresh tables of the run's DynamoDB Local and a fresh
 * data directory; or, given `tablePrefix` and `dataDir`, on those (an app started again).
 */
export async function startTestApi(options: Partial<LocalAppOptions> = {}): Promise<TestApi> {
  const { client, prefix, endpoint } = options.tablePrefix ? existingTables(options.tablePrefix) : await freshTables();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'kehu-test-'));
  const app = await startLocalApp({ dataDir, dynamodbEndpoint: endpoint, tablePrefix: prefix, ...options });
  // Every answer is checked against the document the API serves: an undeclared status,
  // media type, body or missing header fails the test that received it.
  let validator: Promise<(answer: ReceivedAnswer) => string[]> | undefined;
  const checkAnswer = async (answer: ReceivedAnswer) => {
    validator ??= fetch(`${app.url}/v1/openapi.json`).then(async (res) => createAnswerValidator((await res.json()) as Record<string, unknown>));
    const failures = (await validator)(answer);
    if (failures.length) throw new Error(`The answer breaks the OpenAPI document: ${failures.join('\n')}`);
  };
  return {
    ...app,
    prefix,
    client,
    dataDir,
    token: (role, sub = `user-${role}`) => signToken(app.tokenSecret, { sub, roles: [role] }),
    coldKeys: () => {
      const keyService = options.overrides?.keyService;
      return createContainer(app.container.config, { dynamodb: client, ...(keyService ? { keyService } : {}) }).keys;
    },
    async rewriteAuditPurpose(entry) {
      await client.send(
        new UpdateItemCommand({
          TableName: `${prefix}-audit`,
          Key: { pk: { S: `CHAIN#${entry.chain}` }, sk: { S: String(entry.seq).padStart(12, '0') } },
          UpdateExpression: 'SET #p = :p',
          ExpressionAttributeNames: { '#p': 'purpose' },
          ExpressionAttributeValues: { ':p': { S: 'nothing-to-see' } },
        }),
      );
    },
    async call(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${app.url}${path}`, { method, headers, body });
      const text = await res.text();
      await checkAnswer({ method, path: new URL(path, app.url).pathname, status: res.status, headers: res.headers, text });
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
  };
}

let counter = 0;
// Random start per file, then sequential: contacts never collide within a file.
const phoneBase = Math.floor(Math.random() * 50_000_000);
/** A valid create body with unique contacts; `overrides` replace fields. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies, deliberately loose
export function newCustomer(overrides: Record<string, unknown> = {}): Record<string, any> {
  counter += 1;
  const unique = `${phoneBase + counter}`;
  return {
    type: 'individual',
    name: `Testname ${unique}`,
    emails: [`person${unique}@example.com`],
    phones: [`+86138${String(phoneBase + counter).padStart(8, '0')}`],
    region: 'CN-SH',
    tier: 'normal',
    tags: ['wechat'],
    stage: 'new',
    collection: { channel: 'online-form', purposes: ['service'], noticeVersion: '2026-01', lawfulBasis: 'consent' },
    ...overrides,
  };
}
