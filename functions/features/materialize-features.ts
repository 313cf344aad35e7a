import { app } from '@azure/functions';
import { materializeView } from '../../shared/features/materialize.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { materializeRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('materialize-features', [
  {
    method: 'POST',
    path: 'features/materialize',
    summary: 'Copies the newest offline row per entity to the online store, from the watermark or for a window',
    body: materializeRequestSchema,
    responses: { 200: { description: 'What was materialized' } },
  },
]);

app.http('materialize-features', {
  methods: ['POST'],
  route: 'features/materialize',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, materializeRequestSchema);
    const services = getServices();
    return json(
      200,
      await materializeView(services, featureStores(services), await loadRegistry(services, { fresh: true }), {
        view: body.view,
        ...(body.start ? { start: new Date(body.start) } : {}),
        ...(body.end ? { end: new Date(body.end) } : {}),
      }, new Date()),
    );
  }),
});
