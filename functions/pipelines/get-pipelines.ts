import { app } from '@azure/functions';
import { z } from 'zod';
import { pipelineNameParam, pipelineVersionQuery } from '../../shared/pipelines/http-schemas.js';
import { getPipeline, listPipelines } from '../../shared/pipelines/registry.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-pipelines', [
  {
    method: 'GET',
    path: 'pipelines',
    operationId: 'list-pipelines',
    summary: 'Lists the pipelines',
    responses: {
      200: {
        description: 'The pipelines',
        schema: z.object({ pipelines: z.array(z.object({ name: z.string(), version: z.number(), registeredAt: z.string(), schedule: z.string().nullable(), steps: z.number() })) }),
      },
    },
  },
  {
    method: 'GET',
    path: 'pipelines/{name}',
    summary: "A pipeline's latest spec, or the version asked for",
    params: { name: pipelineNameParam },
    query: { version: pipelineVersionQuery },
    responses: { 200: { description: 'The registered pipeline' }, 404: { description: 'No such pipeline (or version)' } },
  },
]);

/** GET /api/pipelines lists them; GET /api/pipelines/{name} returns the latest spec. */
app.http('get-pipelines', {
  methods: ['GET'],
  route: 'pipelines/{name?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    if (!request.params.name) {
      const pipelines = await listPipelines(services);
      return json(200, {
        pipelines: pipelines.map((p) => ({ name: p.name, version: p.version, registeredAt: p.registeredAt, schedule: p.spec.schedule ?? null, steps: p.spec.steps.length })),
      });
    }
    const name = routeParam(request, 'name', pipelineNameParam);
    const version = queryParam(request, 'version', pipelineVersionQuery);
    const pipeline = await getPipeline(services, name, version);
    if (!pipeline) throw new NotFoundError('pipeline', version ? `${name}@v${version}` : name);
    return json(200, pipeline);
  }),
});
