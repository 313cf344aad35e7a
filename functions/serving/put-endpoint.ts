import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { endpointSpecSchema, servingName } from '../../shared/serving/definitions.js';
import { putEndpoint } from '../../shared/serving/endpoints.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('put-endpoint', [
  {
    method: 'PUT',
    path: 'endpoints/{name}',
    summary: "Creates or replaces an endpoint's variants and shadow",
    params: { name: servingName },
    body: endpointSpecSchema,
    responses: { 200: { description: 'Replaced' }, 201: { description: 'Created' } },
  },
]);

/** Creates (201) or replaces (200) an endpoint's variants and shadow; unknown models or versions are a 400 naming the field, nothing changed. */
app.http('put-endpoint', {
  methods: ['PUT'],
  route: 'endpoints/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', servingName);
    const spec = await readJsonBody(request, endpointSpecSchema);
    const { endpoint, created } = await putEndpoint(getServices(), name, spec);
    return json(created ? 201 : 200, endpoint);
  }),
});
