import { app } from '@azure/functions';
import { onlineRequestSchema } from '../../shared/features/requests.js';
import { serveOnlineRequest } from '../../shared/features/requests-served.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const onlineAnswer = z.object({
  results: z.array(
    z.object({
      entity: z.record(z.string(), z.union([z.string(), z.number()])),
      values: z.record(z.string(), z.unknown()),
      status: z.record(z.string(), z.enum(['present', 'missing', 'stale'])),
    }),
  ),
});

describeRoute('get-online-features', [
  {
    method: 'POST',
    path: 'features/online',
    summary: 'Feature values for many entities, in request order, each with its status',
    body: onlineRequestSchema,
    responses: {
      200: { description: 'One result per entity', schema: onlineAnswer },
      404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' },
      409: { description: "A view's registry tags disagree with the online store's binding (tag_binding_mismatch): re-apply its definition" },
    },
  },
]);

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
