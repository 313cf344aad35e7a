import { app } from '@azure/functions';
import { loadRegistry } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-feature-registry', [
  { method: 'GET', path: 'features/registry', summary: 'Everything registered, with versions and online field tags', responses: { 200: { description: 'The registry' } } },
]);

app.http('get-feature-registry', {
  methods: ['GET'],
  route: 'features/registry',
  authLevel: 'function',
  handler: httpHandler(async () => json(200, await loadRegistry(getServices(), { fresh: true }))),
});
