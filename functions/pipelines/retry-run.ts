import * as df from 'durable-functions';
import { runIdParam } from '../../shared/pipelines/http-schemas.js';
import { retryRun } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';

df.app.client.http('retry-run', {
  methods: ['POST'],
  route: 'runs/{id}/retry',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const run = await retryRun(getServices(), client, routeParam(request, 'id', runIdParam), new Date());
      const statusUrl = new URL(`/api/runs/${run.runId}`, request.url).toString();
      return json(202, { runId: run.runId, retryOf: run.retryOf, statusUrl }, { location: statusUrl });
    })(request, context),
});
