import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { servingName, versionRequestSchema } from '../../shared/serving/definitions.js';
import { versionMetadataHeader, onnxContentType } from '../../shared/serving/requests.js';
import { registerUploadedVersion } from '../../shared/serving/upload.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

describeRoute('post-model-version', [
  {
    method: 'POST',
    path: 'models/{name}/versions',
    summary: 'Registers the next version: the ONNX file as the body (metadata in a header), or JSON with it inline (base64) or in a blob',
    params: { name: servingName },
    headers: { [versionMetadataHeader]: { schema: z.string().optional(), description: 'The version metadata as JSON, when the body is the ONNX file' } },
    body: { content: { 'application/json': versionRequestSchema, [onnxContentType]: 'binary' }, required: true },
    responses: { 201: { description: 'Registered, with its SHA-256 and the graph\'s inputs and outputs' }, 404: { description: 'No such model' } },
  },
]);

/** Registers the next version: the ONNX file as the body (metadata in a header), or JSON with it inline or in a blob. 400 naming every mismatch, nothing stored. */
app.http('post-model-version', {
  methods: ['POST'],
  route: 'models/{name}/versions',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', servingName);
    const body = new Uint8Array(await request.arrayBuffer());
    const version = await registerUploadedVersion(getServices(), name, {
      contentType: request.headers.get('content-type') ?? '',
      metadataHeader: request.headers.get(versionMetadataHeader) ?? undefined,
      body,
    });
    return json(201, version);
  }),
});
