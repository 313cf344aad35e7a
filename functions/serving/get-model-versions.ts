import { app } from '@azure/functions';
import { z } from 'zod';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { getModelVersion, listModelVersions, requireModel } from '../../shared/serving/registry.js';
import { versionParam } from '../../shared/serving/requests.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-model-versions', [
  {
    method: 'GET',
    path: 'models/{name}/versions',
    operationId: 'list-model-versions',
    summary: "A model's versions, newest first (up to 100)",
    params: { name: servingName },
    responses: { 200: { description: 'The versions', schema: z.object({ versions: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such model' } },
  },
  {
    method: 'GET',
    path: 'models/{name}/versions/{version}',
    summary: 'One version of a model',
    params: { name: servingName, version: versionParam },
    responses: { 200: { description: 'The version' }, 404: { description: 'No such model or version' } },
  },
]);

/** GET .../versions lists a model's versions, newest first (up to 100); GET .../versions/{version} reads one. */
app.http('get-model-versions', {
  methods: ['GET'],
  route: 'models/{name}/versions/{version?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', servingName);
    await requireModel(services, name);
    if (!request.params.version) return json(200, { versions: await listModelVersions(services, name) });
    const number = Number(routeParam(request, 'version', versionParam));
    const version = await getModelVersion(services, name, number, { fresh: true });
    if (!version) throw new NotFoundError('model version', `${name}:${number}`);
    return json(200, version);
  }),
});
