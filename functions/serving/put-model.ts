import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { modelSpecSchema, servingName } from '../../shared/serving/definitions.js';
import { putModel } from '../../shared/serving/registry.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('put-model', [
  {
    method: 'PUT',
    path: 'models/{name}',
    summary: 'Creates a model or updates its description and task',
    params: { name: servingName },
    body: modelSpecSchema,
    responses: { 200: { description: 'Updated' }, 201: { description: 'Created' } },
  },
]);

/** Creates a model (201) or updates its description and task (200); versions are added with POST .../versions. */
app.http('put-model', {
  methods: ['PUT'],
  route: 'models/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', servingName);
    const spec = await readJsonBody(request, modelSpecSchema);
    const { model, created } = await putModel(getServices(), name, spec);
    return json(created ? 201 : 200, model);
  }),
});
