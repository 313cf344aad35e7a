import { app } from '@azure/functions';
import { loadRegistry } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json } from '../../shared/platform/http.js';

app.http('get-feature-registry', {
  methods: ['GET'],
  route: 'features/registry',
  authLevel: 'function',
  handler: httpHandler(async () => json(200, await loadRegistry(getServices(), { fresh: true }))),
});
