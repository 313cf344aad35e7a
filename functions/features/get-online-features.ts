import { app } from '@azure/functions';
import { onlineRequestSchema } from '../../shared/features/requests.js';
import { serveOnlineRequest } from '../../shared/features/requests-served.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';

/** Feature values for many entities in one Redis round trip, in request order, each with its status. */
app.http('get-online-features', {
  methods: ['POST'],
  route: 'features/online',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, onlineRequestSchema);
    return json(200, { results: await serveOnlineRequest(getServices(), body) });
  }),
});
