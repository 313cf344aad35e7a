import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { predict } from '../../shared/serving/predict.js';
import { predictRequestSchema, variantHeader } from '../../shared/serving/requests.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

describeRoute('predict-endpoint', [
  {
    method: 'POST',
    path: 'endpoints/{name}/predict',
    summary: 'Scores a batch (up to 1,000 rows) on the variant the request routes to',
    params: { name: servingName },
    headers: { [variantHeader]: { schema: z.string().optional(), description: 'Pins the variant to score on' } },
    body: predictRequestSchema,
    responses: {
      200: { description: '{ predictions, variant, model, version, featureStatus }', headers: { 'x-arbor-model-load-ms': 'Set when this call loaded the model' } },
      404: { description: 'No such endpoint' },
      422: { description: 'An entity lacks a feature (missing or stale) that the signature gives no default for' },
    },
  },
]);

/** Scores a batch (up to 1,000 rows) on the variant the request routes to; the shadow, if any, runs after the answer has gone. */
app.http('predict-endpoint', {
  methods: ['POST'],
  route: 'endpoints/{name}/predict',
  authLevel: 'function',
  handler: httpHandler(async (request, context) => {
    const name = routeParam(request, 'name', servingName);
    const body = await readJsonBody(request, predictRequestSchema);
    const services = getServices();
    const result = await predict(services, name, body, { pinned: request.headers.get(variantHeader) ?? undefined });
    const shadow = result.shadow;
    if (shadow) setImmediate(() => void shadow().catch((error: unknown) => context.warn('shadow failed', error)));
    return json(200, result.answer, result.coldLoadMs === undefined ? {} : { 'x-arbor-model-load-ms': result.coldLoadMs.toFixed(1) });
  }),
});
