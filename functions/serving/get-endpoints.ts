import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { listEndpoints, requireEndpoint } from '../../shared/serving/endpoints.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-endpoints', [
  { method: 'GET', path: 'endpoints', operationId: 'list-endpoints', summary: 'Lists the endpoints', responses: { 200: { description: 'The endpoints', schema: z.object({ endpoints: z.array(z.record(z.string(), z.unknown())) }) } } },
  { method: 'GET', path: 'endpoints/{name}', summary: 'One endpoint', params: { name: servingName }, responses: { 200: { description: 'The endpoint' }, 404: { description: 'No such endpoint' } } },
]);

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
