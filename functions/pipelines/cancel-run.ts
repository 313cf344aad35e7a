import * as df from 'durable-functions';
import { runIdParam } from '../../shared/pipelines/http-schemas.js';
import { cancelRun } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const cancelAccepted = z.object({ runId: z.string(), state: z.string(), cancelRequestedAt: z.string().optional() });

describeRoute('cancel-run', [
  {
    method: 'POST',
    path: 'runs/{id}/cancel',
    summary: 'Stops scheduling steps; the run ends cancelled',
    params: { id: runIdParam },
    responses: {
      202: { description: 'Cancellation requested', schema: cancelAccepted },
      404: { description: 'No such run' },
      409: { description: 'The run is not pending or running' },
    },
  },
]);

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
