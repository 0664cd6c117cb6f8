import * as z from 'zod/mini';
import { defineRoutes } from '../http/route.js';

const context = 'platform';

/** The shape of an OpenAPI document, as far as a client needs to know it is one. */
const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

export const platformRoutes = defineRoutes({
  health: {
    method: 'GET',
    path: '/v1/health',
    context,
    operationId: 'getHealth',
    summary: 'Liveness',
    description: 'Answers while the API is up; touches no storage, so it says nothing about the tables or keys.',
    roles: 'public',
    responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok'), version: z.string() }) } },
  },
  openApi: {
    method: 'GET',
    path: '/v1/openapi.json',
    context,
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    description: 'The description of every operation, generated from the same route table and schemas that check requests: generate clients from it.',
    roles: 'public',
    responses: { 200: { description: 'The document', schema: openApiDocumentSchema } },
  },
  referencePage: {
    method: 'GET',
    path: '/docs',
    context,
    operationId: 'getApiReferencePage',
    summary: 'The API reference, as a page to read',
    description: 'An HTML page that renders this document with Redoc. It loads its script from `/docs` and the document from `/v1/openapi.json`, nothing from elsewhere.',
    roles: 'public',
    responses: { 200: { description: 'The page', media: 'text/html' } },
  },
  referenceScript: {
    method: 'GET',
    path: '/docs/redoc.standalone.js',
    context,
    operationId: 'getApiReferenceScript',
    summary: 'The script the reference page renders with',
    description: "Redoc's standalone bundle, served from the deployed function rather than a CDN.",
    roles: 'public',
    responses: { 200: { description: 'The script', media: 'text/javascript' } },
  },
});
