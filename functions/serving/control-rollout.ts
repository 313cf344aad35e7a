import * as df from 'durable-functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName } from '../../shared/serving/definitions.js';
import { rolloutCommands, rolloutIdParam } from '../../shared/serving/rollout-definitions.js';
import { controlRollout } from '../../shared/serving/rollout-service.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

const rolloutCommand = z.enum(rolloutCommands);

describeRoute('control-rollout', [
  {
    method: 'POST',
    path: 'endpoints/{name}/rollouts/{id}/{command}',
    summary: 'Steers a rollout: pause, resume, abort or promote',
    params: { name: servingName, id: rolloutIdParam, command: rolloutCommand },
    responses: {
      202: { description: 'Taken', schema: z.object({ id: z.string(), endpoint: z.string(), command: rolloutCommand, state: z.string() }) },
      404: { description: 'No such rollout' },
      409: { description: 'The command does not apply in the rollout\'s state' },
    },
  },
]);

/** pause | resume | abort | promote: 202 when the rollout takes the command (it applies it at once), 409 naming its state when not. */
df.app.client.http('control-rollout', {
  methods: ['POST'],
  route: 'endpoints/{name}/rollouts/{id}/{command}',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const name = routeParam(request, 'name', servingName);
      const id = routeParam(request, 'id', rolloutIdParam);
      const command = routeParam(request, 'command', rolloutCommand);
      const rollout = await controlRollout(getServices(), client, name, id, command);
      return json(202, { id, endpoint: name, command, state: rollout.state });
    })(request, context),
});
