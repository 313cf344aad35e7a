import * as df from 'durable-functions';
import { z } from 'zod';
import { serveHistorical, servedResponse } from '../../shared/features/long-requests.js';
import { historicalRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { asyncQuery, httpHandler, readJsonBody, respondAsyncRequested } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-historical-features', [
  {
    method: 'POST',
    path: 'features/historical',
    summary: 'A point-in-time-correct training set: inline for small results, a parquet blob for large ones, a job above the inline limit',
    body: historicalRequestSchema,
    query: { async: asyncQuery },
    headers: { prefer: { schema: z.string().optional(), description: '`respond-async` asks for a job whatever the size' } },
    responses: {
      200: { description: 'The rows, or the blob holding them' },
      202: { description: 'A job builds it: follow it at Location (GET /api/jobs/{id})', headers: { location: 'The job: /api/jobs/{id}' } },
      404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' },
      409: { description: 'Offline partitions it needs are archived (named)' },
    },
  },
]);

/** A point-in-time-correct training set: 200 inline (or a parquet blob) when small, else 202 and a job. */
df.app.client.http('get-historical-features', {
  methods: ['POST'],
  route: 'features/historical',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const asked = respondAsyncRequested(request);
      const body = await readJsonBody(request, historicalRequestSchema);
      return servedResponse(await serveHistorical(getServices(), client, body, { async: asked }, new Date()), request.url, asked);
    })(request, context),
});
