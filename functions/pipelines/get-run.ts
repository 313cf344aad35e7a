import { app } from '@azure/functions';
import { runIdParam } from '../../shared/pipelines/http-schemas.js';
import { getPipeline } from '../../shared/pipelines/registry.js';
import { getRun, withPendingSteps } from '../../shared/pipelines/runs.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-run', [
  {
    method: 'GET',
    path: 'runs/{id}',
    summary: "A run's state and every step's state, attempts, times, error, outputs and lineage",
    params: { id: runIdParam },
    responses: { 200: { description: 'The run' }, 404: { description: 'No such run' } },
  },
]);

/** A run's state and every step's state, attempts, times, error, outputs and lineage. */
app.http('get-run', {
  methods: ['GET'],
  route: 'runs/{id}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const runId = routeParam(request, 'id', runIdParam);
    const recorded = await getRun(services, runId);
    if (!recorded) throw new NotFoundError('run', runId);
    const pipeline = await getPipeline(services, recorded.pipeline, recorded.version);
    const { pipeline: name, version, ...rest } = withPendingSteps(recorded, pipeline?.spec);
    return json(200, { ...rest, pipeline: { name, version } });
  }),
});
