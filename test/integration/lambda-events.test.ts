import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../functions/handlers.js';
import type { HttpHandler } from '../../functions/http/index.js';
import { LocalKeyService } from '../../shared/platform/keys/index.js';
import { createContainer } from '../../shared/runtime/index.js';
import { freshTables, testConfig } from '../support/dynamo.js';

/**
 * The sample events in events/ invoke the handlers directly, as Lambda would, with the
 * configuration read from the environment as in a deployed function.
 */
const event = (name: string) => JSON.parse(readFileSync(`events/${name}.json`, 'utf8')) as APIGatewayProxyEventV2;
const context = { functionName: 'kehu-customers', awsRequestId: 'sample', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;
let handlers: Record<string, HttpHandler>;

beforeAll(async () => {
  const { client, prefix, endpoint } = await freshTables();
  const config = testConfig(prefix, endpoint);
  handlers = await createHandlers(createContainer(config, { dynamodb: client, keyService: new LocalKeyService(Buffer.alloc(32, 3)) }));
});

describe('sample events', () => {
  it('create, then get with the contact purpose, through the Lambda handler', async () => {
    const created = await handlers.customers!(event('customers-create'), context);
    expect(created.statusCode).toBe(201);
    const { id } = JSON.parse(created.body!) as { id: string };

    const get = event('customers-get');
    get.rawPath = `/v1/customers/${id}`;
    get.requestContext.http.path = get.rawPath;
    get.pathParameters = { id };
    const read = await handlers.customers!(get, context);
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body!)).toMatchObject({ id, name: 'Sample Person', phones: ['+8613800000001'] });
    expect(read.headers?.etag).toBe('"1"');
  });

  it('answers 401 problem+json when the authorizer passed no claims', async () => {
    const anonymous = event('customers-create');
    delete (anonymous.requestContext as { authorizer?: unknown }).authorizer;
    const res = await handlers.customers!(anonymous, context);
    expect(res.statusCode).toBe(401);
    expect(res.headers?.['content-type']).toBe('application/problem+json');
  });

  it('serves health', async () => {
    const res = await handlers.platform!(event('health'), context);
    expect(JSON.parse(res.body!)).toMatchObject({ status: 'ok' });
  });
});
