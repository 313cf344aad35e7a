import { app } from '@azure/functions';
import { z } from 'zod';
import { definitionsSchema } from '../../shared/features/definitions.js';
import { applyDefinitions, planDefinitions } from '../../shared/features/registry.js';
import { featureStores } from '../../shared/features/stores.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, readJsonBody } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

const dryRunQuery = z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional();

describeRoute('apply-feature-registry', [
  {
    method: 'POST',
    path: 'features/registry',
    summary: 'Applies entities, feature views and feature services; with dryRun=true, only says what it would do',
    body: definitionsSchema,
    query: { dryRun: dryRunQuery },
    responses: {
      200: { description: 'What was applied (or, on a dry run, would be), with versions' },
      409: { description: 'An incompatible change (incompatible_change); nothing stored' },
    },
  },
]);

/**
 * Applies entities, views and services: 400 listing every problem, 409 for incompatible changes; nothing stored on either.
 * Online tags come from the online store's binding. `?dryRun=true` plans the same apply and writes nothing (`arbor apply`'s plan).
 */
app.http('apply-feature-registry', {
  methods: ['POST'],
  route: 'features/registry',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const dryRun = queryParam(request, 'dryRun', dryRunQuery) === 'true';
    const definitions = await readJsonBody(request, definitionsSchema);
    if (dryRun) return json(200, { dryRun: true, ...(await planDefinitions(services, definitions)) });
    return json(200, await applyDefinitions(services, featureStores(services).online, definitions));
  }),
});
