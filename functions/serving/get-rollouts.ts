import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { requireEndpoint } from '../../shared/serving/endpoints.js';
import { rolloutIdParam } from '../../shared/serving/rollout-definitions.js';
import { requireRollout } from '../../shared/serving/rollout-service.js';
import { listRollouts } from '../../shared/serving/rollout-store.js';

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
