import { app } from '@azure/functions';
import { definitionsSchema } from '../../shared/features/definitions.js';
import { applyDefinitions } from '../../shared/features/registry.js';
import { featureStores } from '../../shared/features/stores.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('apply-feature-registry', [
  {
    method: 'POST',
    path: 'features/registry',
    summary: 'Applies entities, feature views and feature services',
    body: definitionsSchema,
    responses: { 200: { description: 'What was applied, with versions' }, 409: { description: 'An incompatible change (incompatible_change); nothing stored' } },
  },
]);

/** Applies entities, views and services: 400 listing every problem, 409 for incompatible changes; nothing stored on either. Online tags come from the online store's binding. */
app.http('apply-feature-registry', {
  methods: ['POST'],
  route: 'features/registry',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    return json(200, await applyDefinitions(services, featureStores(services).online, await readJsonBody(request, definitionsSchema)));
  }),
});
