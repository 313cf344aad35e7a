import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { rolloutIdParam } from '../../shared/serving/rollout-definitions.js';
import { requireRollout } from '../../shared/serving/rollout-service.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-rollout', [
  {
    method: 'GET',
    path: 'endpoints/{name}/rollouts/{id}',
    summary: "A rollout: state, the candidate's weight, every check with its figures and decision, every event",
    params: { name: servingName, id: rolloutIdParam },
    responses: { 200: { description: 'The rollout' }, 404: { description: 'No such rollout' } },
  },
]);

/** A rollout: state, the candidate's weight, every check with its figures and decision, every event. */
app.http('get-rollout', {
  methods: ['GET'],
  route: 'endpoints/{name}/rollouts/{id}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const rollout = await requireRollout(getServices(), routeParam(request, 'name', servingName), routeParam(request, 'id', rolloutIdParam));
    return json(200, rollout);
  }),
});
