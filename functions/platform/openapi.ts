import { app } from '@azure/functions';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { servedOpenApiDocument } from '../../shared/platform/api/served-document.js';
import { httpHandler, json } from '../../shared/platform/http.js';

describeRoute(
  'openapi',
  [{ method: 'GET', path: 'openapi.json', summary: 'This document: the OpenAPI 3.1 contract of every HTTP route', responses: { 200: { description: 'The document', content: { 'application/json': 'json' } } } }],
  'anonymous',
);

/** The API's contract, built from the route contracts each trigger file describes. Anonymous: it holds no data, only what the routes take and give. */
app.http('openapi', {
  methods: ['GET'],
  route: 'openapi.json',
  authLevel: 'anonymous',
  handler: httpHandler(async () => json(200, servedOpenApiDocument())),
});
