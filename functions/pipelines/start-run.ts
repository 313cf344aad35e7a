import * as df from 'durable-functions';
import { pipelineNameParam, startRunBody } from '../../shared/pipelines/http-schemas.js';
import { startRun } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readOptionalJsonBody, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const runStarted = z.object({ runId: z.string(), statusUrl: z.string() });

describeRoute('start-run', [
  {
    method: 'POST',
    path: 'pipelines/{name}/runs',
    summary: 'Starts a run with the params given',
    params: { name: pipelineNameParam },
    body: { content: { 'application/json': startRunBody }, required: false },
    responses: {
      202: { description: 'Started; poll the status URL', schema: runStarted, headers: { location: 'The status URL' } },
      404: { description: 'No such pipeline' },
    },
  },
]);

df.app.client.http('start-run', {
  methods: ['POST'],
  route: 'pipelines/{name}/runs',
  authLevel: 'function',
  handler: (request, client, context) =>
    httpHandler(async () => {
      const name = routeParam(request, 'name', pipelineNameParam);
      const { params } = await readOptionalJsonBody(request, startRunBody);
      const run = await startRun(getServices(), client, { pipeline: name, params, trigger: 'manual', now: new Date() });
      const statusUrl = new URL(`/api/runs/${run.runId}`, request.url).toString();
      return json(202, { runId: run.runId, statusUrl }, { location: statusUrl });
    })(request, context),
});
