import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { requireModel } from '../../shared/serving/registry.js';

/** A model: description, task, latest version, times. */
app.http('get-model', {
  methods: ['GET'],
  route: 'models/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => json(200, await requireModel(getServices(), routeParam(request, 'name', servingName)))),
});
