import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { requireModel } from '../../shared/serving/registry.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-model', [
  { method: 'GET', path: 'models/{name}', summary: 'A model: description, task, latest version, times', params: { name: servingName }, responses: { 200: { description: 'The model' }, 404: { description: 'No such model' } } },
]);

/** A model: description, task, latest version, times. */
app.http('get-model', {
  methods: ['GET'],
  route: 'models/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => json(200, await requireModel(getServices(), routeParam(request, 'name', servingName)))),
});
