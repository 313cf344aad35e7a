import * as df from 'durable-functions';
import { serveMaterialize, servedResponse } from '../../shared/features/long-requests.js';
import { materializeRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, readJsonBody, respondAsyncRequested } from '../../shared/platform/http.js';

/** Materialization: 200 with its counts when it reads one job step's partitions or fewer, else 202 and a job. */
df.app.client.http('materialize-features', {
  methods: ['POST'],
  route: 'features/materialize',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const asked = respondAsyncRequested(request);
      const body = await readJsonBody(request, materializeRequestSchema);
      return servedResponse(await serveMaterialize(getServices(), client, body, { async: asked }, new Date()), request.url, asked);
    })(request, context),
});
