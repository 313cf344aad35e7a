import { app } from '@azure/functions';
import { definitionsSchema } from '../../shared/features/definitions.js';
import { applyDefinitions } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';

/** Applies entities, views and services: 400 listing every problem, 409 for incompatible changes; nothing stored on either. */
app.http('apply-feature-registry', {
  methods: ['POST'],
  route: 'features/registry',
  authLevel: 'function',
  handler: httpHandler(async (request) => json(200, await applyDefinitions(getServices(), await readJsonBody(request, definitionsSchema)))),
});
