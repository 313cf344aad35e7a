import { app } from '@azure/functions';
import { onlineEntitiesServed, onlineRequestDuration } from '../../shared/features/metrics.js';
import { planLookup, readOnline } from '../../shared/features/online.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { entityRowsFromColumns, onlineRequestSchema, resolveFeatureRefs } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';

/** Feature values for many entities in one Redis round trip, in request order, each with its status. */
app.http('get-online-features', {
  methods: ['POST'],
  route: 'features/online',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, onlineRequestSchema);
    const stop = onlineRequestDuration.startTimer();
    const services = getServices();
    const registry = await loadRegistry(services);
    const refs = resolveFeatureRefs(registry, body);
    const plans = planLookup(registry, refs);
    const entities = entityRowsFromColumns(plans, body.entities);
    const results = await readOnline(featureStores(services).online, plans, refs, entities, new Date());
    stop();
    onlineEntitiesServed.inc(entities.length);
    return json(200, { results });
  }),
});
