import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { requireEndpoint } from '../../shared/serving/endpoints.js';
import { windowSecondsParam } from '../../shared/serving/requests.js';
import { readShadowWindow, readVariantWindow } from '../../shared/serving/window.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-endpoint-metrics', [
  {
    method: 'GET',
    path: 'endpoints/{name}/metrics',
    summary: "Every variant's window over the last ?seconds=, and the shadow's comparison",
    params: { name: servingName },
    query: { seconds: windowSecondsParam },
    responses: {
      200: {
        description: 'The windows',
        schema: z.object({ endpoint: z.string(), seconds: z.number(), variants: z.array(z.record(z.string(), z.unknown())), shadow: z.record(z.string(), z.unknown()).optional() }),
      },
      404: { description: 'No such endpoint' },
    },
  },
]);

/** Every variant's shared window over the last `?seconds=` (default 300, at most 3600), and the shadow's comparison. */
app.http('get-endpoint-metrics', {
  methods: ['GET'],
  route: 'endpoints/{name}/metrics',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const endpoint = await requireEndpoint(services, routeParam(request, 'name', servingName), { fresh: true });
    const seconds = queryParam(request, 'seconds', windowSecondsParam);
    const variants = await Promise.all(endpoint.variants.map((variant) => readVariantWindow(services.redis, endpoint.name, variant.name, seconds)));
    const shadow = endpoint.shadow ? await readShadowWindow(services.redis, endpoint.name, seconds) : undefined;
    return json(200, { endpoint: endpoint.name, seconds, variants, ...(shadow ? { shadow } : {}) });
  }),
});
