import * as df from 'durable-functions';
import { z } from 'zod';
import { serveMaterialize, servedResponse } from '../../shared/features/long-requests.js';
import { materializeRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { asyncQuery, httpHandler, readJsonBody, respondAsyncRequested } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('materialize-features', [
  {
    method: 'POST',
    path: 'features/materialize',
    summary: 'Copies the newest offline row per entity to the online store, from the watermark or for a window; a job above the inline limit',
    body: materializeRequestSchema,
    query: { async: asyncQuery },
    headers: { prefer: { schema: z.string().optional(), description: '`respond-async` asks for a job whatever the size' } },
    responses: {
      200: { description: 'What was materialized' },
      202: { description: 'A job does it: follow it at Location (GET /api/jobs/{id})', headers: { location: 'The job: /api/jobs/{id}' } },
      404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' },
    },
  },
]);

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
