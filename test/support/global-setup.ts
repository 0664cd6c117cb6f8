import type { TestProject } from 'vitest/node';
import { startDynamo } from '../../local/dynamodb.js';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}

/** Starts one in-memory DynamoDB Local for the run and stops it afterwards. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamo();
  project.provide('dynamodbEndpoint', dynamo.endpoint);
  return () => dynamo.stop();
}
