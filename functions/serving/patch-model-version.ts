import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { servingName, stageChangeSchema } from '../../shared/serving/definitions.js';
import { requireModel, setVersionStage } from '../../shared/serving/registry.js';
import { versionParam } from '../../shared/serving/requests.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('patch-model-version', [
  {
    method: 'PATCH',
    path: 'models/{name}/versions/{version}',
    summary: 'Moves a version to another stage',
    params: { name: servingName, version: versionParam },
    body: stageChangeSchema,
    responses: { 200: { description: 'The version' }, 404: { description: 'No such model or version' } },
  },
]);

/** Moves a version to another stage `{ stage: none | staging | production | archived }`, the one thing about a version that changes. */
app.http('patch-model-version', {
  methods: ['PATCH'],
  route: 'models/{name}/versions/{version}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', servingName);
    const version = Number(routeParam(request, 'version', versionParam));
    const { stage } = await readJsonBody(request, stageChangeSchema);
    await requireModel(services, name);
    return json(200, await setVersionStage(services, name, version, stage));
  }),
});
