import * as df from 'durable-functions';
import { serveHistorical, servedResponse } from '../../shared/features/long-requests.js';
import { historicalRequestSchema } from '../../shared/features/requests.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, readJsonBody, respondAsyncRequested } from '../../shared/platform/http.js';

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
