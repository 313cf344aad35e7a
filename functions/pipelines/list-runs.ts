import { app } from '@azure/functions';
import { z } from 'zod';
import { pipelineNameParam } from '../../shared/pipelines/http-schemas.js';
import { getPipeline } from '../../shared/pipelines/registry.js';
import { listRuns } from '../../shared/pipelines/runs.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('list-runs', [
  {
    method: 'GET',
    path: 'pipelines/{name}/runs',
    summary: 'The latest runs of a pipeline',
    params: { name: pipelineNameParam },
    responses: { 200: { description: 'The latest runs', schema: z.object({ pipeline: z.string(), runs: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such pipeline' } },
  },
]);

app.http('list-runs', {
  methods: ['GET'],
  route: 'pipelines/{name}/runs',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', pipelineNameParam);
    if (!(await getPipeline(services, name))) throw new NotFoundError('pipeline', name);
    const runs = await listRuns(services, name);
    return json(200, { pipeline: name, runs: runs.map(({ id: _id, kind: _kind, ...run }) => run) });
  }),
});
