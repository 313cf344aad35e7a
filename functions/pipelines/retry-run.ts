import * as df from 'durable-functions';
import { retryVersionQuery, runIdParam } from '../../shared/pipelines/http-schemas.js';
import { retryRun } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const retryStarted = z.object({ runId: z.string(), retryOf: z.string(), statusUrl: z.string() });

describeRoute('retry-run', [
  {
    method: 'POST',
    path: 'runs/{id}/retry',
    summary: 'Runs a failed or cancelled run again, reusing the outputs of steps that succeeded',
    params: { id: runIdParam },
    query: { version: retryVersionQuery },
    responses: {
      202: { description: 'The new run started', schema: retryStarted, headers: { location: 'The new run\'s status URL' } },
      404: { description: 'No such run' },
      409: { description: 'The run is not failed or cancelled' },
    },
  },
]);

df.app.client.http('retry-run', {
  methods: ['POST'],
  route: 'runs/{id}/retry',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const runId = routeParam(request, 'id', runIdParam);
      const latest = queryParam(request, 'version', retryVersionQuery) === 'latest';
      const run = await retryRun(getServices(), client, runId, new Date(), { latest });
      const statusUrl = new URL(`/api/runs/${run.runId}`, request.url).toString();
      return json(202, { runId: run.runId, retryOf: run.retryOf, statusUrl }, { location: statusUrl });
    })(request, context),
});
