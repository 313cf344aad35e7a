import { app } from '@azure/functions';
import { pushRequestSchema } from '../../shared/features/requests.js';
import { servePush } from '../../shared/features/requests-served.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('push-features', [
  {
    method: 'POST',
    path: 'features/push',
    summary: 'Validated rows to the online store (newer rows only) and/or the offline store',
    body: pushRequestSchema,
    responses: {
      200: { description: 'What was written where' },
      404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' },
      409: { description: "The view's registry tags disagree with the online store's binding (tag_binding_mismatch); nothing written" },
    },
  },
]);

app.http('push-features', {
  methods: ['POST'],
  route: 'features/push',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, pushRequestSchema);
    return json(200, await servePush(getServices(), body));
  }),
});
