import { app } from '@azure/functions';
import { z } from 'zod';
import { admitSpec, registerPipeline } from '../../shared/pipelines/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { PipelineSpecSchema } from '../../shared/pipelines/spec.js';

describeRoute('register-pipeline', [
  {
    method: 'POST',
    path: 'pipelines',
    summary: 'Registers or updates a pipeline spec; a 400 lists every problem (cycles spelled out)',
    body: PipelineSpecSchema,
    responses: { 200: { description: 'Updated (or the same spec again)' }, 201: { description: 'Registered' } },
  },
]);

/** Registers or updates a spec: 400 listing every validation problem, nothing stored on error. */
app.http('register-pipeline', {
  methods: ['POST'],
  route: 'pipelines',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const spec = admitSpec(await readJsonBody(request, z.unknown()));
    const { pipeline, created } = await registerPipeline(getServices(), spec, new Date());
    return json(created ? 201 : 200, pipeline);
  }),
});
