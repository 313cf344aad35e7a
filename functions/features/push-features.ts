import { app } from '@azure/functions';
import { pushRequestSchema } from '../../shared/features/requests.js';
import { servePush } from '../../shared/features/requests-served.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';

app.http('push-features', {
  methods: ['POST'],
  route: 'features/push',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, pushRequestSchema);
    return json(200, await servePush(getServices(), body));
  }),
});
