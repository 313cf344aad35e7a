import { app } from '@azure/functions';
import { historicalFeatures } from '../../shared/features/historical.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { historicalRequestSchema, resolveFeatureRefs } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-historical-features', [
  {
    method: 'POST',
    path: 'features/historical',
    summary: 'A point-in-time-correct training set: inline for small results, a parquet blob for large ones',
    body: historicalRequestSchema,
    responses: { 200: { description: 'The rows, or the blob holding them' }, 409: { description: 'Offline partitions it needs are archived (named)' } },
  },
]);

/** A point-in-time-correct training set: inline for small results, a parquet blob for large ones. */
app.http('get-historical-features', {
  methods: ['POST'],
  route: 'features/historical',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, historicalRequestSchema);
    const services = getServices();
    const registry = await loadRegistry(services);
    const refs = resolveFeatureRefs(registry, body);
    const source = body.entityRows ? { kind: 'inline' as const, rows: body.entityRows } : { kind: 'blob' as const, ...body.entityRowsBlob! };
    return json(200, await historicalFeatures(services, featureStores(services).offline, registry, refs, source, body.output ? { output: body.output } : {}));
  }),
});
