import * as df from 'durable-functions';
import { runIdParam } from '../../shared/pipelines/http-schemas.js';
import { cancelRun } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';

df.app.client.http('cancel-run', {
  methods: ['POST'],
  route: 'runs/{id}/cancel',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const run = await cancelRun(getServices(), client, routeParam(request, 'id', runIdParam), new Date());
      return json(202, { runId: run.runId, state: run.state, cancelRequestedAt: run.cancelRequestedAt });
    })(request, context),
});
