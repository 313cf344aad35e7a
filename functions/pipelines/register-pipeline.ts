import { app } from '@azure/functions';
import { z } from 'zod';
import { admitSpec, registerPipeline } from '../../shared/pipelines/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';

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
