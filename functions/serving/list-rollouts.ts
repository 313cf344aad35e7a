import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { requireEndpoint } from '../../shared/serving/endpoints.js';
import { listRollouts } from '../../shared/serving/rollout-store.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('list-rollouts', [
  {
    method: 'GET',
    path: 'endpoints/{name}/rollouts',
    summary: "An endpoint's rollouts, newest first (50), without their checks",
    params: { name: servingName },
    responses: { 200: { description: 'The rollouts', schema: z.object({ rollouts: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such endpoint' } },
  },
]);

/** An endpoint's rollouts, newest first (50), without their checks. */
app.http('list-rollouts', {
  methods: ['GET'],
  route: 'endpoints/{name}/rollouts',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const endpoint = await requireEndpoint(services, routeParam(request, 'name', servingName), { fresh: true });
    const rollouts = await listRollouts(services, endpoint.name);
    return json(200, { rollouts: rollouts.map(({ checks: _checks, events: _events, ...summary }) => summary) });
  }),
});
