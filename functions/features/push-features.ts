import { app } from '@azure/functions';
import { pushRows } from '../../shared/features/push.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { pushRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';

app.http('push-features', {
  methods: ['POST'],
  route: 'features/push',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, pushRequestSchema);
    const services = getServices();
    const limits = { maxFutureSeconds: services.settings.ARBOR_FEATURE_MAX_FUTURE_SECONDS };
    return json(200, await pushRows(featureStores(services), await loadRegistry(services), body, new Date(), limits));
  }),
});
