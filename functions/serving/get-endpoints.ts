import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { listEndpoints, requireEndpoint } from '../../shared/serving/endpoints.js';

/** GET /api/endpoints lists them; GET /api/endpoints/{name} reads one. */
app.http('get-endpoints', {
  methods: ['GET'],
  route: 'endpoints/{name?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    if (!request.params.name) return json(200, { endpoints: await listEndpoints(services) });
    return json(200, await requireEndpoint(services, routeParam(request, 'name', servingName), { fresh: true }));
  }),
});
