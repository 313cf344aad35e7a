import * as df from 'durable-functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { rolloutRequestSchema } from '../../shared/serving/rollout-definitions.js';
import { startRollout } from '../../shared/serving/rollout-service.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('post-rollout', [
  {
    method: 'POST',
    path: 'endpoints/{name}/rollouts',
    summary: 'Starts a canary rollout (a durable orchestration)',
    params: { name: servingName },
    body: rolloutRequestSchema,
    responses: {
      202: { description: 'Started: the rollout with its status URL', headers: { location: 'The status URL' } },
      404: { description: 'No such endpoint' },
      409: { description: 'Another rollout runs on the endpoint' },
    },
  },
]);

/** Starts a canary rollout (202 with its status URL); a bad field is a 400 naming it, a running rollout a 409; nothing changed either way. */
df.app.client.http('post-rollout', {
  methods: ['POST'],
  route: 'endpoints/{name}/rollouts',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const name = routeParam(request, 'name', servingName);
      const body = await readJsonBody(request, rolloutRequestSchema);
      const rollout = await startRollout(getServices(), client, name, body);
      const statusUrl = new URL(`/api/endpoints/${name}/rollouts/${rollout.id}`, request.url).toString();
      return json(202, { ...rollout, statusUrl }, { location: statusUrl });
    })(request, context),
});
